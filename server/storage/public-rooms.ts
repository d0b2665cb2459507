// Reads for the published room directory: which rooms are published, and the few state events
// a directory entry is made of.
import type { Kysely } from 'kysely';
import type { JsonObject, Pdu } from '../core/pdu.ts';
import type { Database } from './schema.ts';

export async function listPublishedRoomIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('rooms')
    .select('room_id')
    .where('is_public', '=', true)
    .orderBy('room_id')
    .execute();
  return rows.map((row) => row.room_id);
}

export async function setRoomPublished(
  db: Kysely<Database>,
  roomId: string,
  published: boolean,
): Promise<void> {
  await db
    .updateTable('rooms')
    .set({ is_public: published })
    .where('room_id', '=', roomId)
    .execute();
}

/** Undefined for a room this server does not know. */
export async function isRoomPublished(
  db: Kysely<Database>,
  roomId: string,
): Promise<boolean | undefined> {
  const row = await db
    .selectFrom('rooms')
    .select('is_public')
    .where('room_id', '=', roomId)
    .executeTakeFirst();
  return row?.is_public;
}

/** Content of the current state events of the given types (state key "") in each room. */
export async function getRoomStateContents(
  db: Kysely<Database>,
  roomIds: readonly string[],
  types: readonly string[],
): Promise<Map<string, Map<string, JsonObject>>> {
  const byRoom = new Map<string, Map<string, JsonObject>>();
  if (roomIds.length === 0) return byRoom;
  const rows = await db
    .selectFrom('current_state as s')
    .innerJoin('events as e', 'e.event_id', 's.event_id')
    .select(['s.room_id', 's.type', 'e.json'])
    .where('s.room_id', 'in', [...roomIds])
    .where('s.type', 'in', [...types])
    .where('s.state_key', '=', '')
    .execute();
  for (const row of rows) {
    const contents = byRoom.get(row.room_id) ?? new Map<string, JsonObject>();
    byRoom.set(row.room_id, contents);
    contents.set(row.type, (JSON.parse(row.json) as Pdu).content);
  }
  return byRoom;
}
