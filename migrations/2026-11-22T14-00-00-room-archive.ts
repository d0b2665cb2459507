// Room archives on IPFS (issue 8): the events of archived rooms (public rooms, rooms listed in
// archive_room_ids, rooms whose admins opted in with org.cairn.archive) as IPLD blocks linked by
// prev_events, published with each epoch. Frozen: later changes go in a new migration.
//
// archive_event_blocks: the block CID of each archived event (the links of later events).
// archive_rooms: per room, the stream position archived up to, the prev_events not held (JSON
// text, sorted) and the CID of the room's latest archive root block.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('archive_event_blocks')
    .addColumn('event_id', 'text', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('cid', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('archive_rooms')
    .addColumn('room_id', 'text', (col) => col.primaryKey())
    .addColumn('stream_position', 'bigint', (col) => col.notNull())
    .addColumn('missing', 'text', (col) => col.notNull())
    .addColumn('root_cid', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('archive_rooms').execute();
  await db.schema.dropTable('archive_event_blocks').execute();
}
