// Accounts (issue 4): profiles, account data, filters, refresh tokens, registration tokens and
// user-interactive auth sessions. Frozen: later changes go in a new migration. JSON values are
// kept as text: we never query inside them, and text reads back identically on both backends.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('profiles')
    .addColumn('user_id', 'text', (col) =>
      col.primaryKey().references('users.user_id').onDelete('cascade'),
    )
    .addColumn('displayname', 'text')
    .addColumn('avatar_url', 'text')
    .execute();
  // Accounts made before profiles existed get the profile registration now gives: their localpart.
  await sql`insert into profiles (user_id, displayname) select user_id, localpart from users`.execute(
    db,
  );

  // One row per (user, room, type); room_id '' is global account data. Every write takes a new
  // stream_id from the column's sequence, so /sync can ask for what changed after a position.
  await db.schema
    .createTable('account_data')
    .addColumn('user_id', 'text', (col) =>
      col.notNull().references('users.user_id').onDelete('cascade'),
    )
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('stream_id', 'bigserial', (col) => col.notNull())
    .addPrimaryKeyConstraint('account_data_pkey', ['user_id', 'room_id', 'type'])
    .execute();
  await db.schema
    .createIndex('account_data_stream_idx')
    .on('account_data')
    .columns(['user_id', 'stream_id'])
    .execute();

  await db.schema
    .createTable('filters')
    .addColumn('filter_id', 'bigserial', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) =>
      col.notNull().references('users.user_id').onDelete('cascade'),
    )
    .addColumn('filter_json', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('filters_user_idx').on('filters').column('user_id').execute();

  // Like access tokens, only hashes are stored. A refresh token belongs to a device, so logging
  // the device out (deleting it) revokes it too.
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('access_token_hash', 'text')
    .addColumn('parent_token_hash', 'text')
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addForeignKeyConstraint(
      'refresh_tokens_device_fkey',
      ['user_id', 'device_id'],
      'devices',
      ['user_id', 'device_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('refresh_tokens_device_idx')
    .on('refresh_tokens')
    .columns(['user_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('refresh_tokens_parent_idx')
    .on('refresh_tokens')
    .column('parent_token_hash')
    .execute();

  await db.schema
    .createTable('registration_tokens')
    .addColumn('token', 'text', (col) => col.primaryKey())
    .addColumn('uses_allowed', 'integer')
    .addColumn('completed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('expiry_ts', 'bigint')
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('uia_sessions')
    .addColumn('session_id', 'text', (col) => col.primaryKey())
    .addColumn('endpoint', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text')
    .addColumn('completed', 'text', (col) => col.notNull())
    .addColumn('results', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('expires_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('uia_sessions_expires_idx')
    .on('uia_sessions')
    .column('expires_ts')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'uia_sessions',
    'registration_tokens',
    'refresh_tokens',
    'filters',
    'account_data',
    'profiles',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
