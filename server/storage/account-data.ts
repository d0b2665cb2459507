// Account data: per-user JSON documents by type, global or per room. Every write moves the row
// to a new stream position so /sync can return what changed since a position.

import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** The room_id of global account data. */
export const GLOBAL_ACCOUNT_DATA = '';

export interface AccountDataChange {
  roomId: string;
  type: string;
  content: Record<string, unknown>;
  streamId: number;
}

/** Creates or replaces the content; returns the new stream position. */
export async function setAccountData(
  db: Kysely<Database>,
  entry: { userId: string; roomId: string; type: string; content: Record<string, unknown> },
): Promise<number> {
  const content = JSON.stringify(entry.content);
  const row = await db
    .insertInto('account_data')
    .values({ user_id: entry.userId, room_id: entry.roomId, type: entry.type, content })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'room_id', 'type']).doUpdateSet({
        content,
        stream_id: sql<number>`nextval(pg_get_serial_sequence('account_data', 'stream_id'))`,
      }),
    )
    .returning('stream_id')
    .executeTakeFirstOrThrow();
  return row.stream_id;
}

export async function getAccountData(
  db: Kysely<Database>,
  userId: string,
  roomId: string,
  type: string,
): Promise<Record<string, unknown> | undefined> {
  const row = await db
    .selectFrom('account_data')
    .select('content')
    .where('user_id', '=', userId)
    .where('room_id', '=', roomId)
    .where('type', '=', type)
    .executeTakeFirst();
  return row && (JSON.parse(row.content) as Record<string, unknown>);
}

/** Everything the user wrote after stream position `since` (all of it for 0), in stream order. */
export async function getAccountDataChanges(
  db: Kysely<Database>,
  userId: string,
  since = 0,
): Promise<AccountDataChange[]> {
  const rows = await db
    .selectFrom('account_data')
    .selectAll()
    .where('user_id', '=', userId)
    .where('stream_id', '>', since)
    .orderBy('stream_id')
    .execute();
  return rows.map((row) => ({
    roomId: row.room_id,
    type: row.type,
    content: JSON.parse(row.content) as Record<string, unknown>,
    streamId: row.stream_id,
  }));
}

/** The highest stream position written so far (0 when none). */
export async function maxAccountDataStreamId(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('account_data')
    .select((eb) => eb.fn.max('stream_id').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

export async function deleteAllAccountData(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('account_data').where('user_id', '=', userId).execute();
}
