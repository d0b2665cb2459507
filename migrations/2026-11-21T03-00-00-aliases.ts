// Room aliases and forgotten rooms (issue 4). Frozen: later changes go in a new migration.
//
// `room_aliases` holds only this server's aliases (`#x:<server_name>`); remote aliases are
// resolved over federation, never stored. No foreign key to `rooms`: an alias is a name this
// server hands out, and federation may later point one at a room it is still joining.
//
// `room_forgotten` records, per user and room, the member event the user forgot the room at.
// The room stays forgotten while that event is still the user's current membership, so a later
// join, invite or knock (local or over federation) ends it without the pipeline knowing.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('room_aliases')
    .addColumn('room_alias', 'text', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('creator', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('room_aliases_room_idx')
    .on('room_aliases')
    .column('room_id')
    .execute();

  await db.schema
    .createTable('room_forgotten')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('member_event_id', 'text', (col) => col.notNull())
    .addColumn('forgotten_ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('room_forgotten_pkey', ['user_id', 'room_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('room_forgotten').execute();
  await db.schema.dropTable('room_aliases').execute();
}
