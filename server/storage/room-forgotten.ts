// Forgotten rooms. A row keeps the member event the user forgot the room at; the room counts as
// forgotten only while that event is still the user's current membership, so a later join,
// invite or knock ends it without anyone deleting the row.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function markRoomForgotten(
  db: Kysely<Database>,
  row: { userId: string; roomId: string; memberEventId: string; now: number },
): Promise<void> {
  const values = { member_event_id: row.memberEventId, forgotten_ts: row.now };
  await db
    .insertInto('room_forgotten')
    .values({ user_id: row.userId, room_id: row.roomId, ...values })
    .onConflict((conflict) => conflict.columns(['user_id', 'room_id']).doUpdateSet(values))
    .execute();
}

/** Ids of the rooms the user has forgotten and not returned to since. */
export async function listForgottenRooms(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('room_forgotten as f')
    .innerJoin('current_state as s', (join) =>
      join
        .onRef('s.room_id', '=', 'f.room_id')
        .onRef('s.state_key', '=', 'f.user_id')
        .onRef('s.event_id', '=', 'f.member_event_id')
        .on('s.type', '=', 'm.room.member'),
    )
    .select('f.room_id')
    .where('f.user_id', '=', userId)
    .execute();
  return rows.map((row) => row.room_id);
}

export async function isRoomForgotten(
  db: Kysely<Database>,
  userId: string,
  roomId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('room_forgotten as f')
    .innerJoin('current_state as s', (join) =>
      join
        .onRef('s.room_id', '=', 'f.room_id')
        .onRef('s.state_key', '=', 'f.user_id')
        .onRef('s.event_id', '=', 'f.member_event_id')
        .on('s.type', '=', 'm.room.member'),
    )
    .select('f.room_id')
    .where('f.user_id', '=', userId)
    .where('f.room_id', '=', roomId)
    .executeTakeFirst();
  return row !== undefined;
}
