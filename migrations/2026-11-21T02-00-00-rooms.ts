// Rooms, events and room state (issues 3 and 4). Frozen: later changes go in a new migration.
//
// Events are stored once, as the canonical JSON of the PDU plus the columns queries filter on.
// `stream_ordering` is this server's order of arrival: /sync tokens and pagination use it.
// Room state is stored as deltas: a state group lists only the entries that differ from its
// `prev_group`; a chain is cut with a full snapshot every few dozen groups, so reading a state
// costs a bounded walk and storing one costs a few rows, not a copy of the whole room.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rooms')
    .addColumn('room_id', 'text', (col) => col.primaryKey())
    .addColumn('room_version', 'text', (col) => col.notNull())
    .addColumn('creator', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('is_public', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('state_groups')
    .addColumn('state_group', 'bigserial', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('prev_group', 'bigint', (col) => col.references('state_groups.state_group'))
    /** Number of deltas between this group and the full snapshot it builds on (0: a snapshot). */
    .addColumn('delta_depth', 'integer', (col) => col.notNull())
    .execute();

  // A null event_id in a delta removes the entry (state resolution can drop a key).
  await db.schema
    .createTable('state_group_entries')
    .addColumn('state_group', 'bigint', (col) =>
      col.notNull().references('state_groups.state_group').onDelete('cascade'),
    )
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('state_key', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text')
    .addPrimaryKeyConstraint('state_group_entries_pkey', ['state_group', 'type', 'state_key'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('stream_ordering', 'bigserial', (col) => col.primaryKey())
    .addColumn('event_id', 'text', (col) => col.notNull().unique())
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.room_id'))
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('state_key', 'text')
    .addColumn('sender', 'text', (col) => col.notNull())
    .addColumn('origin_server_ts', 'bigint', (col) => col.notNull())
    .addColumn('depth', 'bigint', (col) => col.notNull())
    .addColumn('json', 'text', (col) => col.notNull())
    /** State before and after this event; equal for non-state events. Null for outliers. */
    .addColumn('state_before', 'bigint', (col) => col.references('state_groups.state_group'))
    .addColumn('state_after', 'bigint', (col) => col.references('state_groups.state_group'))
    /** Known only through auth chains or state, not part of the room's timeline here. */
    .addColumn('outlier', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('rejected_reason', 'text')
    /** Event id of the redaction applied to this event, if any. */
    .addColumn('redacted_by', 'text')
    .execute();
  await db.schema
    .createIndex('events_room_stream_idx')
    .on('events')
    .columns(['room_id', 'stream_ordering'])
    .execute();

  await db.schema
    .createTable('room_forward_extremities')
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('room_forward_extremities_pkey', ['room_id', 'event_id'])
    .execute();

  // The resolved current state of each room, kept up to date on every persist: sending an event,
  // /sync and membership checks read it directly instead of rebuilding state from groups.
  await db.schema
    .createTable('current_state')
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('state_key', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    /** For m.room.member events: the membership, so "rooms of a user" is one indexed query. */
    .addColumn('membership', 'text')
    .addColumn('stream_ordering', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('current_state_pkey', ['room_id', 'type', 'state_key'])
    .execute();
  await db.schema
    .createIndex('current_state_member_idx')
    .on('current_state')
    .columns(['state_key', 'membership'])
    .where(sql.ref('type'), '=', 'm.room.member')
    .execute();

  // Client transaction ids, so a retried PUT /send returns the first event instead of a second.
  await db.schema
    .createTable('event_txn_ids')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('txn_id', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('event_txn_ids_pkey', ['user_id', 'device_id', 'txn_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'event_txn_ids',
    'current_state',
    'room_forward_extremities',
    'events',
    'state_group_entries',
    'state_groups',
    'rooms',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
