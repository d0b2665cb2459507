// Accounts, devices, access tokens and server metadata (issue 2). Frozen: later changes go in a
// new migration. Typed against Kysely<unknown>, not the current Database, so the file keeps
// compiling as the schema types move on.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('user_id', 'text', (col) => col.primaryKey())
    .addColumn('localpart', 'text', (col) => col.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('is_deactivated', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('user_id', 'text', (col) =>
      col.notNull().references('users.user_id').onDelete('cascade'),
    )
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('last_seen_ts', 'bigint')
    .addColumn('last_seen_ip', 'text')
    .addPrimaryKeyConstraint('devices_pkey', ['user_id', 'device_id'])
    .execute();

  // Deleting a device must revoke its tokens in the same statement (spec: logging out a device
  // invalidates its access token), hence the cascading foreign key.
  await db.schema
    .createTable('access_tokens')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('expires_ts', 'bigint')
    .addForeignKeyConstraint(
      'access_tokens_device_fkey',
      ['user_id', 'device_id'],
      'devices',
      ['user_id', 'device_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  // PostgreSQL does not index the referencing side of a foreign key; without this, deleting a
  // device scans every token.
  await db.schema
    .createIndex('access_tokens_device_idx')
    .on('access_tokens')
    .columns(['user_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('server_metadata')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_metadata').execute();
  await db.schema.dropTable('access_tokens').execute();
  await db.schema.dropTable('devices').execute();
  await db.schema.dropTable('users').execute();
}
