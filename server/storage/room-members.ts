// Membership reads over current state (kept per event by the persist pipeline), and the state of
// a room at a past point for members lists.
import type { Kysely } from 'kysely';
import type { JsonObject, Pdu } from '../core/pdu.ts';
import type { StateMap } from '../core/state-map.ts';
import type { Database } from './schema.ts';
import { readStateGroup } from './state-groups.ts';

/** Rooms in which the user's current membership is `membership`, by room id. */
export async function listRoomsWithMembership(
  db: Kysely<Database>,
  userId: string,
  membership: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('current_state')
    .select('room_id')
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .where('membership', '=', membership)
    .orderBy('room_id')
    .execute();
  return rows.map((row) => row.room_id);
}

export interface CurrentMember {
  readonly userId: string;
  readonly membership: string | null;
  readonly eventId: string;
  readonly streamOrdering: number;
}

/** The user's current member event in the room, if they have one. */
export async function getCurrentMember(
  db: Kysely<Database>,
  roomId: string,
  userId: string,
): Promise<CurrentMember | undefined> {
  const row = await db
    .selectFrom('current_state')
    .select(['membership', 'event_id', 'stream_ordering'])
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .executeTakeFirst();
  return (
    row && {
      userId,
      membership: row.membership,
      eventId: row.event_id,
      streamOrdering: row.stream_ordering,
    }
  );
}

export async function listJoinedMembers(db: Kysely<Database>, roomId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('current_state')
    .select('state_key')
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('membership', '=', 'join')
    .orderBy('state_key')
    .execute();
  return rows.map((row) => row.state_key);
}

/** The content of every joined member's current member event, by user id. */
export async function listJoinedMemberContents(
  db: Kysely<Database>,
  roomId: string,
): Promise<{ userId: string; content: JsonObject }[]> {
  const rows = await db
    .selectFrom('current_state as s')
    .innerJoin('events as e', 'e.event_id', 's.event_id')
    .select(['s.state_key', 'e.json'])
    .where('s.room_id', '=', roomId)
    .where('s.type', '=', 'm.room.member')
    .where('s.membership', '=', 'join')
    .orderBy('s.state_key')
    .execute();
  return rows.map((row) => ({
    userId: row.state_key,
    content: (JSON.parse(row.json) as Pdu).content,
  }));
}

/** Joined member counts of the given rooms; a room with nobody joined is absent. */
export async function countJoinedMembers(
  db: Kysely<Database>,
  roomIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (roomIds.length === 0) return counts;
  const rows = await db
    .selectFrom('current_state')
    .select(['room_id', db.fn.countAll().as('n')])
    .where('room_id', 'in', [...roomIds])
    .where('type', '=', 'm.room.member')
    .where('membership', '=', 'join')
    .groupBy('room_id')
    .execute();
  for (const row of rows) counts.set(row.room_id, Number(row.n));
  return counts;
}

/** The room's state after the given event, if the event is in the room's timeline. */
export async function stateAfterEvent(
  db: Kysely<Database>,
  eventId: string,
): Promise<StateMap | undefined> {
  const row = await db
    .selectFrom('events')
    .select('state_after')
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row?.state_after == null ? undefined : readStateGroup(db, row.state_after);
}

/**
 * The room's state after the last accepted event at or before a stream position: what a client
 * had seen at a sync token. Undefined when the room had no events yet at that position.
 */
export async function stateAtStreamPosition(
  db: Kysely<Database>,
  roomId: string,
  position: number,
): Promise<StateMap | undefined> {
  const row = await db
    .selectFrom('events')
    .select('state_after')
    .where('room_id', '=', roomId)
    .where('stream_ordering', '<=', position)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .orderBy('stream_ordering', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.state_after == null ? undefined : readStateGroup(db, row.state_after);
}

/** The room's state after its first member event (its creator's join), if it has one. */
export async function stateAfterFirstMember(
  db: Kysely<Database>,
  roomId: string,
): Promise<StateMap | undefined> {
  const row = await db
    .selectFrom('events')
    .select('state_after')
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .orderBy('stream_ordering', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row?.state_after == null ? undefined : readStateGroup(db, row.state_after);
}
