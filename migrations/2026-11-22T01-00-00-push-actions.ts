// Push actions (unread notification counts). Frozen: later changes go in a new migration.
//
// `event_push_actions` holds, per event and local member, the outcome of the member's push rules
// when it notified or highlighted them (rows that do neither are not written). /sync counts a
// user's rows in a room after their read receipt; `thread_id` is null for the main timeline and
// the thread root for an event in a thread, so threaded receipts clear only their thread. The
// index serves both the count (user, room, after a position) and the clearing of a user's rows
// when they send an event themselves.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_push_actions')
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('stream_ordering', 'bigint', (col) => col.notNull())
    .addColumn('thread_id', 'text')
    .addColumn('notify', 'boolean', (col) => col.notNull())
    .addColumn('highlight', 'boolean', (col) => col.notNull())
    .addPrimaryKeyConstraint('event_push_actions_pkey', ['event_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('event_push_actions_user_room_idx')
    .on('event_push_actions')
    .columns(['user_id', 'room_id', 'stream_ordering'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('event_push_actions').execute();
}
