// Auth events selection: which state events an event cites as its authority. The same list tells
// the auth rules which (type, state_key) pairs an event may cite at all.
// https://spec.matrix.org/latest/server-server-api/#auth-events-selection

import type { JsonObject } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import type { StateLookup } from './auth-types.ts';
import { objectField, stringField } from './pdu-fields.ts';

/** The parts of an event (built or received) that decide its auth events. */
export interface AuthEventsTemplate {
  readonly type: string;
  readonly stateKey?: string | undefined;
  readonly sender: string;
  readonly content: JsonObject;
}

export type StatePair = readonly [type: string, stateKey: string];

/** The (type, state_key) pairs the selection algorithm may pick for this event, without duplicates. */
export function authEventPairs(version: RoomVersion, event: AuthEventsTemplate): StatePair[] {
  if (event.type === 'm.room.create') return [];
  const pairs: StatePair[] = [];
  const add = (type: string, stateKey: string) => {
    if (!pairs.some(([t, k]) => t === type && k === stateKey)) pairs.push([type, stateKey]);
  };
  // v12: the room id stands for the create event, which is never listed.
  if (!version.roomIdFromCreateEvent) add('m.room.create', '');
  add('m.room.power_levels', '');
  add('m.room.member', event.sender);
  if (event.type !== 'm.room.member' || event.stateKey === undefined) return pairs;

  add('m.room.member', event.stateKey);
  const membership = stringField(event.content, 'membership');
  if (membership === 'join' || membership === 'invite' || membership === 'knock') {
    add('m.room.join_rules', '');
  }
  if (membership === 'invite') {
    const invite = objectField(event.content, 'third_party_invite');
    const signed = invite && objectField(invite, 'signed');
    const token = signed && stringField(signed, 'token');
    if (token !== undefined) add('m.room.third_party_invite', token);
  }
  if (membership === 'join' && version.restrictedJoinRule) {
    const authoriser = stringField(event.content, 'join_authorised_via_users_server');
    if (authoriser !== undefined) add('m.room.member', authoriser);
  }
  return pairs;
}

/** Event ids for the auth_events of an event being built, taken from the given state. */
export function selectAuthEvents(
  version: RoomVersion,
  event: AuthEventsTemplate,
  state: StateLookup,
): string[] {
  const ids: string[] = [];
  for (const [type, stateKey] of authEventPairs(version, event)) {
    const found = state(type, stateKey);
    if (found) ids.push(found.eventId);
  }
  return ids;
}
