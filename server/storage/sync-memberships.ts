// A user's membership events as /sync needs them: the current one in every room they ever had a
// membership in (from current_state, indexed by user), and where that is past the sync's upper
// position, the one at a position, plus the changes within a range.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface MemberEventRow {
  readonly roomId: string;
  readonly eventId: string;
  readonly streamOrdering: number;
  readonly membership: string | undefined;
}

export async function currentMemberships(
  db: Kysely<Database>,
  userId: string,
): Promise<MemberEventRow[]> {
  const rows = await db
    .selectFrom('current_state')
    .select(['room_id', 'event_id', 'stream_ordering', 'membership'])
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .execute();
  return rows.map((row) => ({
    roomId: row.room_id,
    eventId: row.event_id,
    streamOrdering: row.stream_ordering,
    membership: row.membership ?? undefined,
  }));
}

/** Per room, the user's latest member event at or before `position`. */
export async function memberEventsAt(
  db: Kysely<Database>,
  userId: string,
  roomIds: readonly string[],
  position: number,
): Promise<Map<string, MemberEventRow>> {
  if (roomIds.length === 0) return new Map();
  const rows = await memberEvents(db, userId, roomIds)
    .where('stream_ordering', '<=', position)
    .distinctOn('room_id')
    .orderBy('room_id')
    .orderBy('stream_ordering', 'desc')
    .execute();
  return new Map(rows.map((row) => [row.room_id, toRow(row)]));
}

/** The user's member events in (after, upTo] in the given rooms, oldest first. */
export async function memberEventsBetween(
  db: Kysely<Database>,
  userId: string,
  roomIds: readonly string[],
  after: number,
  upTo: number,
): Promise<MemberEventRow[]> {
  if (roomIds.length === 0 || upTo <= after) return [];
  const rows = await memberEvents(db, userId, roomIds)
    .where('stream_ordering', '>', after)
    .where('stream_ordering', '<=', upTo)
    .orderBy('stream_ordering')
    .execute();
  return rows.map(toRow);
}

function memberEvents(db: Kysely<Database>, userId: string, roomIds: readonly string[]) {
  return db
    .selectFrom('events')
    .select(['room_id', 'event_id', 'stream_ordering', 'json'])
    .where('room_id', 'in', [...roomIds])
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null);
}

function toRow(row: {
  room_id: string;
  event_id: string;
  stream_ordering: number;
  json: string;
}): MemberEventRow {
  const membership = (JSON.parse(row.json) as { content?: { membership?: unknown } }).content
    ?.membership;
  return {
    roomId: row.room_id,
    eventId: row.event_id,
    streamOrdering: row.stream_ordering,
    membership: typeof membership === 'string' ? membership : undefined,
  };
}
