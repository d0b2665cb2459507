// Checks that need no state: the event format of the room version and the size limits. An event
// failing them is dropped, not rejected, so it never enters the DAG.
// https://spec.matrix.org/latest/server-server-api/#checks-performed-on-receipt-of-a-pdu
// https://spec.matrix.org/latest/client-server-api/#size-limits

import { encodeCanonicalJson } from '../canonical-json.ts';
import {
  type EventWithId,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type Pdu,
} from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { ALLOWED, type AuthResult, deny } from './auth-types.ts';
import { isValidUserId, MAX_ID_BYTES, utf8ByteLength } from './identifiers.ts';
import { referencedIds } from './pdu-fields.ts';
import { createEventIdForRoom } from './room-creators.ts';

export const MAX_PDU_BYTES = 65536;
export const MAX_PREV_EVENTS = 20;
export const MAX_AUTH_EVENTS = 10;
const MAX_DEPTH = 2 ** 53 - 1;
// v12 room ids are the create event's reference hash: 32 bytes in URL-safe unpadded base64.
const HASH_ROOM_ID = /^![A-Za-z0-9_-]{43}$/;

export function checkEventFormat(version: RoomVersion, event: EventWithId): AuthResult {
  const pdu: unknown = event.pdu;
  if (!isJsonObject(pdu)) return deny('a PDU must be a JSON object');
  const size = canonicalSize(version, pdu);
  if (typeof size === 'string') return deny(size);
  if (size > MAX_PDU_BYTES) return deny(`the event is ${size} bytes, over ${MAX_PDU_BYTES}`);
  return checkFields(version, event.eventId, pdu as Pdu);
}

function checkFields(version: RoomVersion, eventId: string, pdu: Pdu): AuthResult {
  if (utf8ByteLength(eventId) > MAX_ID_BYTES) return deny('event_id is over 255 bytes');
  for (const key of ['type', 'sender'] as const) {
    const refusal = checkIdString(pdu, key, true);
    if (refusal) return deny(refusal);
  }
  if (!isValidUserId(pdu.sender)) return deny('sender is not a valid user id');
  const stateKeyRefusal = checkIdString(pdu, 'state_key', false);
  if (stateKeyRefusal) return deny(stateKeyRefusal);

  const isCreate = pdu.type === 'm.room.create';
  if (!(version.roomIdFromCreateEvent && isCreate)) {
    const refusal = checkIdString(pdu, 'room_id', true);
    if (refusal) return deny(refusal);
    if (!isValidRoomId(version, pdu.room_id as string)) return deny('room_id is malformed');
  } else if (pdu.room_id !== undefined && typeof pdu.room_id !== 'string') {
    return deny('room_id must be a string');
  }
  if (version.eventIdFormat === 'server-assigned' && typeof pdu.event_id !== 'string') {
    return deny('this room version needs event_id in the event');
  }

  if (!isInteger(version, pdu.origin_server_ts)) return deny('origin_server_ts must be an integer');
  if (!isInteger(version, pdu.depth) || pdu.depth < 0 || pdu.depth > MAX_DEPTH) {
    return deny('depth must be an integer from 0 to 2^53-1');
  }
  if (!isJsonObject(pdu.content)) return deny('content must be an object');
  if (!isJsonObject(pdu.hashes) || typeof pdu.hashes.sha256 !== 'string') {
    return deny('hashes.sha256 must be a string');
  }
  if (!isSignatureMap(pdu.signatures))
    return deny('signatures must map servers to key ids to strings');
  if (pdu.unsigned !== undefined && !isJsonObject(pdu.unsigned))
    return deny('unsigned must be an object');
  if (pdu.redacts !== undefined && typeof pdu.redacts !== 'string')
    return deny('redacts must be a string');

  const refs = checkReferences(version, pdu.prev_events, 'prev_events', MAX_PREV_EVENTS);
  if (refs) return deny(refs);
  const auths = checkReferences(version, pdu.auth_events, 'auth_events', MAX_AUTH_EVENTS);
  if (auths) return deny(auths);
  if (version.roomIdFromCreateEvent && !isCreate) {
    const createId = createEventIdForRoom(pdu.room_id as string);
    if (referencedIds(pdu.auth_events).includes(createId)) {
      return deny('auth_events must not list the m.room.create event in this room version');
    }
  }
  return ALLOWED;
}

/** The canonical JSON size in bytes, or why the event has no canonical form. */
function canonicalSize(version: RoomVersion, pdu: JsonObject): number | string {
  try {
    return utf8ByteLength(encodeCanonicalJson(pdu, { strict: version.strictCanonicalJson }));
  } catch (error) {
    return `the event is not canonical JSON: ${(error as Error).message}`;
  }
}

function checkIdString(pdu: Pdu, key: string, required: boolean): string | undefined {
  const value = pdu[key];
  if (value === undefined) return required ? `${key} is missing` : undefined;
  if (typeof value !== 'string') return `${key} must be a string`;
  if (utf8ByteLength(value) > MAX_ID_BYTES) return `${key} is over ${MAX_ID_BYTES} bytes`;
  return undefined;
}

function isValidRoomId(version: RoomVersion, roomId: string): boolean {
  if (version.roomIdFromCreateEvent) return HASH_ROOM_ID.test(roomId);
  // `!opaque:server`; the server part only namespaces the id, so it is not parsed further.
  const colon = roomId.indexOf(':');
  return roomId.startsWith('!') && colon > 0 && colon < roomId.length - 1;
}

// Room versions 1 to 5 predate strict canonical JSON and may carry floats.
function isInteger(version: RoomVersion, value: JsonValue | undefined): value is number {
  if (typeof value !== 'number') return false;
  return version.strictCanonicalJson ? Number.isSafeInteger(value) : Number.isFinite(value);
}

function isSignatureMap(value: JsonValue | undefined): boolean {
  if (!isJsonObject(value)) return false;
  return Object.values(value).every(
    (byKey) => isJsonObject(byKey) && Object.values(byKey).every((s) => typeof s === 'string'),
  );
}

function checkReferences(
  version: RoomVersion,
  value: JsonValue | undefined,
  key: string,
  max: number,
): string | undefined {
  if (!Array.isArray(value)) return `${key} must be an array`;
  if (value.length > max) return `${key} has ${value.length} entries, over ${max}`;
  // v1 and v2 cite events as [event_id, {sha256}] pairs; later versions by id alone.
  const legacy = version.eventIdFormat === 'server-assigned';
  const wellFormed = value.every((entry) =>
    legacy
      ? Array.isArray(entry) && typeof entry[0] === 'string' && entry[0].startsWith('$')
      : typeof entry === 'string' && entry.startsWith('$'),
  );
  return wellFormed ? undefined : `${key} entries must be event ids`;
}
