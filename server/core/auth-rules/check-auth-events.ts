// The rules on an event's auth_events list (rule 2 up to v11; rules 2 and 3 in v12). They depend
// only on the event and the events it cites, so they run once, on receipt.
// https://spec.matrix.org/latest/rooms/v12/#authorization-rules

import type { EventWithId } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { stateKey as pairKey } from '../state-map.ts';
import { ALLOWED, type AuthOptions, type AuthResult, deny } from './auth-types.ts';
import { contentOf, referencedIds, stateKeyOf } from './pdu-fields.ts';
import { createEventIdForRoom } from './room-creators.ts';
import { authEventPairs } from './select-auth-events.ts';

export function checkAuthEvents(
  version: RoomVersion,
  event: EventWithId,
  fetchEvent: (eventId: string) => EventWithId | undefined,
  options: AuthOptions = {},
): AuthResult {
  const { pdu } = event;
  // The format check refuses these first; this check also stands alone (a non-string sender would
  // otherwise become a state key below).
  if (typeof pdu.sender !== 'string' || typeof pdu.type !== 'string') {
    return deny('the event has no string sender or type');
  }
  // The create event is allowed or refused by rule 1 alone.
  if (pdu.type === 'm.room.create') return ALLOWED;

  if (version.roomIdFromCreateEvent) {
    const createId = typeof pdu.room_id === 'string' ? createEventIdForRoom(pdu.room_id) : '';
    const create = createId ? fetchEvent(createId) : undefined;
    if (create?.pdu.type !== 'm.room.create' || create.pdu.room_id !== undefined) {
      return deny('room_id does not name a known m.room.create event');
    }
    if (options.isRejected?.(createId)) return deny('the m.room.create event was rejected');
  }

  const expected = new Set(
    authEventPairs(version, {
      type: pdu.type,
      stateKey: stateKeyOf(pdu),
      sender: pdu.sender,
      content: contentOf(pdu),
    }).map(([type, key]) => pairKey(type, key)),
  );
  const seen = new Set<string>();
  const authEvents: EventWithId[] = [];
  for (const id of referencedIds(pdu.auth_events)) {
    const authEvent = fetchEvent(id);
    if (!authEvent) return deny(`auth event ${id} is unknown`);
    const stateKey = stateKeyOf(authEvent.pdu);
    const key = stateKey === undefined ? undefined : pairKey(authEvent.pdu.type, stateKey);
    if (key !== undefined && seen.has(key)) {
      return deny(`auth_events lists (${authEvent.pdu.type}, ${stateKey}) twice`);
    }
    if (key === undefined || !expected.has(key)) {
      return deny(`auth event ${id} (${authEvent.pdu.type}) is not one the event may cite`);
    }
    if (options.isRejected?.(id)) return deny(`auth event ${id} was rejected`);
    seen.add(key);
    authEvents.push(authEvent);
  }
  if (!version.roomIdFromCreateEvent && !seen.has(pairKey('m.room.create', ''))) {
    return deny('auth_events has no m.room.create event');
  }
  for (const authEvent of authEvents) {
    if (authEvent.pdu.room_id !== pdu.room_id) {
      return deny(`auth event ${authEvent.eventId} belongs to another room`);
    }
  }
  return ALLOWED;
}
