// Reading fields of untrusted PDUs without trusting their types: every accessor answers
// `undefined` (or an empty value) for a field of the wrong shape, so a rule never throws on a
// forged event and instead refuses it through its own checks.

import {
  type EventWithId,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type Pdu,
} from '../pdu.ts';
import type { StateLookup } from './auth-types.ts';

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

export function contentOf(pdu: Pdu | undefined): JsonObject {
  return pdu && isJsonObject(pdu.content) ? pdu.content : EMPTY;
}

export function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

export function objectField(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

export function stateKeyOf(pdu: Pdu): string | undefined {
  return typeof pdu.state_key === 'string' ? pdu.state_key : undefined;
}

/** Event ids of prev_events or auth_events: bare strings from v3, `[id, hashes]` pairs before. */
export function referencedIds(list: JsonValue | undefined): string[] {
  if (!Array.isArray(list)) return [];
  const ids: string[] = [];
  for (const entry of list) {
    if (typeof entry === 'string') ids.push(entry);
    else if (Array.isArray(entry) && typeof entry[0] === 'string') ids.push(entry[0]);
  }
  return ids;
}

export function membershipOfEvent(event: EventWithId | undefined): string | undefined {
  return event ? stringField(contentOf(event.pdu), 'membership') : undefined;
}

/** A user's current membership; undefined when they have no member event (never in the room). */
export function membershipOf(state: StateLookup, userId: string): string | undefined {
  return membershipOfEvent(state('m.room.member', userId));
}
