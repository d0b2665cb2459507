// This server's room aliases. An alias is unique: creating a taken one reports false instead of
// replacing the mapping, so two clients racing for a name cannot both win.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface RoomAlias {
  readonly alias: string;
  readonly roomId: string;
  readonly creator: string;
}

/** False when the alias already exists (whatever room it points to). */
export async function createRoomAlias(
  db: Kysely<Database>,
  alias: RoomAlias & { readonly now: number },
): Promise<boolean> {
  const inserted = await db
    .insertInto('room_aliases')
    .values({
      room_alias: alias.alias,
      room_id: alias.roomId,
      creator: alias.creator,
      created_ts: alias.now,
    })
    .onConflict((conflict) => conflict.column('room_alias').doNothing())
    .returning('room_alias')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function getRoomAlias(
  db: Kysely<Database>,
  alias: string,
): Promise<RoomAlias | undefined> {
  const row = await db
    .selectFrom('room_aliases')
    .select(['room_alias', 'room_id', 'creator'])
    .where('room_alias', '=', alias)
    .executeTakeFirst();
  return row && { alias: row.room_alias, roomId: row.room_id, creator: row.creator };
}

export async function deleteRoomAlias(db: Kysely<Database>, alias: string): Promise<boolean> {
  const result = await db
    .deleteFrom('room_aliases')
    .where('room_alias', '=', alias)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listRoomAliases(db: Kysely<Database>, roomId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('room_aliases')
    .select('room_alias')
    .where('room_id', '=', roomId)
    .orderBy('room_alias')
    .execute();
  return rows.map((row) => row.room_alias);
}
