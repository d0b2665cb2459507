// The edges of the two DAGs a room is made of, read from raw PDUs. Malformed entries (anything
// but a string) are dropped rather than thrown on: a PDU is untrusted JSON and the graph code
// must not crash on it; auth rules reject such events separately.

import type { Pdu } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';

/**
 * The create event's id for a room whose id is derived from it (room version 12): the room id
 * with its `!` sigil swapped for `$`.
 */
export function createEventIdOfRoom(roomId: string): string {
  return `$${roomId.slice(1)}`;
}

/**
 * The auth events an event is authorised by. From room version 12 the create event is no longer
 * listed but implied by the room id, so it is added here: auth chains, power ordering and the
 * iterative auth checks all need it, and treating it as an ordinary auth edge keeps it in every
 * chain (and so out of every auth difference), as in earlier versions.
 */
export function authEventIds(version: RoomVersion, pdu: Pdu): string[] {
  const ids = stringsOf(pdu.auth_events);
  if (version.roomIdFromCreateEvent && !isCreateEvent(pdu) && typeof pdu.room_id === 'string') {
    const createId = createEventIdOfRoom(pdu.room_id);
    if (!ids.includes(createId)) ids.push(createId);
  }
  return ids;
}

/** The events an event directly follows in the room's timeline. */
export function prevEventIds(pdu: Pdu): string[] {
  return stringsOf(pdu.prev_events);
}

export function isCreateEvent(pdu: Pdu): boolean {
  return pdu.type === 'm.room.create' && pdu.state_key === '';
}

export function isPowerLevelsEvent(pdu: Pdu): boolean {
  return pdu.type === 'm.room.power_levels' && pdu.state_key === '';
}

function stringsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    // Room versions 1 and 2 list [event_id, hashes] pairs instead of bare ids.
    const id = Array.isArray(item) ? item[0] : item;
    if (typeof id === 'string' && !out.includes(id)) out.push(id);
  }
  return out;
}
