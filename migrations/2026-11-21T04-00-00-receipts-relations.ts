// Relations between events and read receipts (issue 4, messages). Frozen: later changes go in a
// new migration.
//
// `event_relations` indexes each event's `m.relates_to` when the event is persisted, so
// /relations, /threads and the bundled aggregations served with events are index lookups, not
// scans of event JSON. The child's type, sender and stream position are copied in: the queries
// filter and order on them without touching `events`. A redacted child loses its row (its
// relation is broken by the redaction).
//
// `receipts` keeps the latest receipt per (room, type, user, thread); '' is the unthreaded one.
// Every write takes a new stream_id from the column's sequence, so /sync can ask for what changed
// after a position.
//
// History visibility needs a user's membership events in a room (when did they last join?): the
// partial index on state events keeps that lookup off the room's whole timeline.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('events_room_state_idx')
    .on('events')
    .columns(['room_id', 'type', 'state_key'])
    .where(sql.ref('state_key'), 'is not', null)
    .execute();

  await db.schema
    .createTable('event_relations')
    .addColumn('event_id', 'text', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('relates_to_id', 'text', (col) => col.notNull())
    .addColumn('rel_type', 'text', (col) => col.notNull())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('sender', 'text', (col) => col.notNull())
    .addColumn('stream_ordering', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('event_relations_parent_idx')
    .on('event_relations')
    .columns(['relates_to_id', 'stream_ordering'])
    .execute();
  await db.schema
    .createIndex('event_relations_room_type_idx')
    .on('event_relations')
    .columns(['room_id', 'rel_type', 'stream_ordering'])
    .execute();

  await db.schema
    .createTable('receipts')
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('receipt_type', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('thread_id', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('ts', 'bigint', (col) => col.notNull())
    .addColumn('stream_id', 'bigserial', (col) => col.notNull())
    .addPrimaryKeyConstraint('receipts_pkey', ['room_id', 'receipt_type', 'user_id', 'thread_id'])
    .execute();
  await db.schema
    .createIndex('receipts_room_stream_idx')
    .on('receipts')
    .columns(['room_id', 'stream_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('receipts').execute();
  await db.schema.dropTable('event_relations').execute();
  await db.schema.dropIndex('events_room_state_idx').execute();
}
