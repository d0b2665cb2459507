// Who created the room, per room version, and the v12 link between room id and create event.
// https://spec.matrix.org/latest/rooms/v12/#event-format

import type { Pdu } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { isValidUserId } from './identifiers.ts';
import { contentOf, stringField } from './pdu-fields.ts';

/**
 * The one creator of rooms v1 to v11: `content.creator` up to v10, the sender from v11. It is
 * who gets power level 100 while the room has no power levels event, and whose join may follow
 * the create event directly. In v12 this is the sender (the join rule still names only it).
 */
export function primaryCreator(version: RoomVersion, create: Pdu): string | undefined {
  if (version.implicitRoomCreator)
    return typeof create.sender === 'string' ? create.sender : undefined;
  return stringField(contentOf(create), 'creator');
}

/**
 * The users with infinite power in v12: the create event's sender and `additional_creators`.
 * Empty for older versions, where creators have no standing once power levels exist.
 */
export function privilegedCreators(version: RoomVersion, create: Pdu | undefined): Set<string> {
  const creators = new Set<string>();
  if (!version.privilegedCreators || !create) return creators;
  if (typeof create.sender === 'string') creators.add(create.sender);
  const additional = contentOf(create).additional_creators;
  if (Array.isArray(additional)) {
    for (const user of additional) if (typeof user === 'string') creators.add(user);
  }
  return creators;
}

/** v12 rule 1.4: absent, or an array of valid user ids. */
export function isValidAdditionalCreators(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every(isValidUserId));
}

/** v12: the room id is the create event's id with `!` for `$`. */
export function roomIdForCreateEvent(createEventId: string): string {
  return `!${createEventId.slice(1)}`;
}

/** v12: the id of the create event a room id names. */
export function createEventIdForRoom(roomId: string): string {
  return `$${roomId.slice(1)}`;
}
