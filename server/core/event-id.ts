// Event ids and, from room version 12, room ids. From v3 the id is not sent with the event but
// derived from its reference hash, so every server computes the same id from the same bytes.
// https://spec.matrix.org/latest/rooms/v4/#event-ids
// https://spec.matrix.org/latest/appendices/#room-ids

import { encodeBase64, encodeBase64Url } from './base64.ts';
import { computeReferenceHash } from './hashes.ts';
import type { EventWithId, Pdu } from './pdu.ts';
import type { RoomVersion } from './room-versions.ts';

export class EventIdError extends Error {
  override readonly name = 'EventIdError';
}

/**
 * The event's id under its room version: `event_id` as sent in v1 and v2, otherwise `$` and the
 * reference hash in unpadded base64 (standard in v3, URL-safe from v4).
 */
export function computeEventId(version: RoomVersion, pdu: Pdu): string {
  switch (version.eventIdFormat) {
    case 'server-assigned': {
      const id = pdu.event_id;
      if (typeof id !== 'string' || !id.startsWith('$')) {
        throw new EventIdError(`a room version ${version.id} event needs a "$" event_id`);
      }
      return id;
    }
    case 'reference-hash-base64':
      return `$${encodeBase64(computeReferenceHash(version, pdu))}`;
    case 'reference-hash-url-safe':
      return `$${encodeBase64Url(computeReferenceHash(version, pdu))}`;
  }
}

/** Pairs a PDU with its computed id. */
export function withEventId(version: RoomVersion, pdu: Pdu): EventWithId {
  return { eventId: computeEventId(version, pdu), pdu };
}

/**
 * The room id a v12+ create event defines: its event id with `!` for `$`, that is `!` and the
 * URL-safe unpadded base64 of its reference hash.
 */
export function roomIdFromCreateEvent(version: RoomVersion, createEvent: Pdu): string {
  if (!version.roomIdFromCreateEvent) {
    throw new EventIdError(
      `room version ${version.id} room ids are not derived from the create event`,
    );
  }
  if (createEvent.type !== 'm.room.create' || createEvent.state_key !== '') {
    throw new EventIdError('only an m.room.create event with an empty state key defines a room id');
  }
  return `!${encodeBase64Url(computeReferenceHash(version, createEvent))}`;
}
