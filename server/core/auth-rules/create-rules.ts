// Rule 1: the m.room.create event, which has no state to be checked against.
// https://spec.matrix.org/latest/rooms/v12/#authorization-rules

import type { EventWithId } from '../pdu.ts';
import { getRoomVersion, type RoomVersion } from '../room-versions.ts';
import { ALLOWED, type AuthResult, deny, denyMalformed } from './auth-types.ts';
import { serverNameOf } from './identifiers.ts';
import { contentOf } from './pdu-fields.ts';
import { isValidAdditionalCreators } from './room-creators.ts';

export function checkCreateEvent(version: RoomVersion, event: EventWithId): AuthResult {
  const { pdu } = event;
  if (hasEntries(pdu.prev_events)) {
    return deny('m.room.create must not have prev_events');
  }
  if (version.roomIdFromCreateEvent) {
    if (Object.hasOwn(pdu, 'room_id')) return deny('m.room.create must not have a room_id');
  } else {
    const roomServer = serverNameOf(pdu.room_id);
    if (roomServer === undefined || roomServer !== serverNameOf(pdu.sender)) {
      return deny("m.room.create room_id's server does not match the sender's");
    }
  }
  const content = contentOf(pdu);
  const roomVersion = content.room_version;
  if (
    roomVersion !== undefined &&
    (typeof roomVersion !== 'string' || !getRoomVersion(roomVersion))
  ) {
    return denyMalformed(
      `m.room.create names an unknown room version ${JSON.stringify(roomVersion)}`,
    );
  }
  if (!version.implicitRoomCreator && !Object.hasOwn(content, 'creator')) {
    return denyMalformed('m.room.create has no creator');
  }
  if (version.privilegedCreators && !isValidAdditionalCreators(content.additional_creators)) {
    return denyMalformed('m.room.create additional_creators is not an array of valid user ids');
  }
  return ALLOWED;
}

// A non-array prev_events is a format error caught earlier; here anything non-empty counts.
function hasEntries(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
}
