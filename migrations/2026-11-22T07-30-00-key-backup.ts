// Server-side key backups (client-server "Server-side key backups"). Frozen: later changes go in
// a new migration.
//
// key_backup_versions: each user's backup versions, numbered 1, 2, 3... per user. The current
// version is the highest one not deleted. A deleted version keeps its row (deleted = true, keys
// gone) so that its number is never handed out again and deleting it twice succeeds, as the spec
// asks. auth_data is the client's JSON text. etag counts the changes to the version's keys and
// key_count is how many sessions it holds; both are only written while the row is locked, by the
// same transaction that changes key_backup_sessions, so they stay exact under concurrent uploads.
//
// key_backup_sessions: one backed-up megolm session key per (user, version, room, session): the
// three fields that decide whether an upload replaces it, and the encrypted session_data (JSON
// text) the server never reads.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('key_backup_versions')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addColumn('algorithm', 'text', (col) => col.notNull())
    .addColumn('auth_data', 'text', (col) => col.notNull())
    .addColumn('etag', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('key_count', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('deleted', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('key_backup_versions_pkey', ['user_id', 'version'])
    .execute();

  await db.schema
    .createTable('key_backup_sessions')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('session_id', 'text', (col) => col.notNull())
    .addColumn('first_message_index', 'bigint', (col) => col.notNull())
    .addColumn('forwarded_count', 'bigint', (col) => col.notNull())
    .addColumn('is_verified', 'boolean', (col) => col.notNull())
    .addColumn('session_data', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('key_backup_sessions_pkey', [
      'user_id',
      'version',
      'room_id',
      'session_id',
    ])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('key_backup_sessions').execute();
  await db.schema.dropTable('key_backup_versions').execute();
}
