// Presence (the spec's m.presence): one row per user, the state last published to room-mates.
// Frozen: later changes go in a new migration.
//
// Every change others can see (state, status message, currently active) takes a new stream_id
// from the column's sequence, so /sync can ask for what changed after a position; timestamps the
// server keeps moving while a user syncs are updated in place without a new position.
//
// No foreign key to users: presence of remote users (federation EDUs) belongs here too.
//
// The partial index serves the sweep that publishes timeouts (server/presence/): it looks only
// at users not already offline whose last activity is old.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('presence')
    .addColumn('user_id', 'text', (col) => col.primaryKey())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('status_msg', 'text')
    .addColumn('last_active_ts', 'bigint', (col) => col.notNull())
    .addColumn('syncing_until_ts', 'bigint', (col) => col.notNull())
    .addColumn('currently_active', 'boolean', (col) => col.notNull())
    .addColumn('stream_id', 'bigserial', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('presence_stream_idx').on('presence').column('stream_id').execute();
  await db.schema
    .createIndex('presence_not_offline_idx')
    .on('presence')
    .column('last_active_ts')
    .where(sql.ref('state'), '<>', 'offline')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('presence').execute();
}
