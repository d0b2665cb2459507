// `invite_state` / `knock_state`: stripped state events that let a user decide about a room they
// are not in, then the membership event itself. Taken from the room's current state.
// https://spec.matrix.org/latest/client-server-api/#stripped-state
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import { toClientEvent } from '../rooms/client-event.ts';
import { getEvent, getEvents, type StoredEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { currentStateEventIds } from '../storage/sync-room-summary.ts';

/** The spec's list; the create event is required since v1.16. */
const STRIPPED_TYPES = [
  'm.room.create',
  'm.room.name',
  'm.room.avatar',
  'm.room.topic',
  'm.room.join_rules',
  'm.room.canonical_alias',
  'm.room.encryption',
] as const;

export function strippedEvent(event: StoredEvent): JsonObject {
  const { pdu } = event;
  return {
    type: pdu.type,
    state_key: pdu.state_key ?? '',
    sender: pdu.sender,
    content: pdu.content,
  };
}

/** The room's stripped state now, as an invite over federation carries it (invite_room_state). */
export async function currentStrippedState(
  db: Kysely<Database>,
  roomId: string,
  sender: string,
): Promise<JsonObject[]> {
  const keys: [string, string][] = STRIPPED_TYPES.map((type) => [type, '']);
  keys.push(['m.room.member', sender]);
  const events = await getEvents(db, await currentStateEventIds(db, roomId, keys));
  return [...events.values()]
    .sort((a, b) => a.streamOrdering - b.streamOrdering)
    .map((event) => strippedEvent(event));
}

/** The stripped state of the room, the sender's member event, then `membershipEventId` in full. */
export async function loadStrippedState(
  db: Kysely<Database>,
  roomId: string,
  membershipEventId: string,
  now: number,
): Promise<JsonObject[] | undefined> {
  const membership = await getEvent(db, membershipEventId);
  if (!membership) return undefined;
  // An invite over federation to a room we are not in: the state its server sent along.
  const remote = await db
    .selectFrom('remote_invite_state')
    .select('stripped_json')
    .where('event_id', '=', membershipEventId)
    .executeTakeFirst();
  if (remote) {
    const sent = JSON.parse(remote.stripped_json) as JsonObject[];
    return [...sent, withoutRoomId(membership, now)];
  }
  const keys: [string, string][] = STRIPPED_TYPES.map((type) => [type, '']);
  // The inviter, so the client can show who invited; for a knock this is the knocker themself.
  if (membership.pdu.sender !== membership.pdu.state_key) {
    keys.push(['m.room.member', membership.pdu.sender]);
  }
  const ids = await currentStateEventIds(db, roomId, keys);
  const events = await getEvents(db, ids);
  const stripped = [...events.values()]
    .sort((a, b) => a.streamOrdering - b.streamOrdering)
    .map((event) =>
      event.pdu.type === 'm.room.create' ? withoutRoomId(event, now) : strippedEvent(event),
    );
  return [...stripped, withoutRoomId(membership, now)];
}

/**
 * An event in full, as /sync serves events (no `room_id`: the room is the key it sits under).
 * The create event is served so too (MSC4311, spec v1.16): its id, timestamp and content let the
 * invitee check what the room is (in v12 the room id is the create event's hash).
 */
function withoutRoomId(event: StoredEvent, now: number): JsonObject {
  const { room_id: _roomId, ...full } = toClientEvent(event, now);
  return full;
}
