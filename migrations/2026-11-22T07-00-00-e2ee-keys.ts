// End-to-end encryption keys (client-server "End-to-End Encryption", federation "End-to-End
// Encryption"). Frozen: later changes go in a new migration.
//
// e2e_device_keys: each device's signed device keys as uploaded (JSON text, signatures included),
// for local devices and, cached, for remote users whose device lists we track.
// e2e_one_time_keys: unclaimed one-time keys; a claim deletes the row it hands out, oldest upload
// (lowest seq) first.
// e2e_fallback_keys: one fallback key per device and algorithm; `used` once it was handed out.
// e2e_cross_signing_keys: master, self_signing and user_signing keys (local; remote cached).
// e2e_signatures: signatures uploaded with keys/signatures/upload, by target key: the target is a
// device id or a cross-signing public key of target_user_id, the signer a key of signer_user_id.
// device_list_changes: the device list stream. A row per change of a user's devices or
// cross-signing keys (local, or announced by a remote server); its stream_id orders /sync's
// `device_lists.changed`. A local device's row names it (device_id) and its stream_id is the
// stream_id of the m.device_list_update EDU sent for it; cross-signing rows have no device_id.
// remote_device_lists: remote users whose device lists are cached, with the last stream_id their
// server sent (an EDU's prev_id must name it, else there is a gap) and whether a resync is due.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('e2e_device_keys')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('key_json', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('e2e_device_keys_pkey', ['user_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('e2e_one_time_keys')
    .addColumn('seq', 'bigserial', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('algorithm', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('key_json', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('e2e_one_time_keys_pkey', [
      'user_id',
      'device_id',
      'algorithm',
      'key_id',
    ])
    .execute();

  await db.schema
    .createTable('e2e_fallback_keys')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('algorithm', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('key_json', 'text', (col) => col.notNull())
    .addColumn('used', 'boolean', (col) => col.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('e2e_fallback_keys_pkey', ['user_id', 'device_id', 'algorithm'])
    .execute();

  await db.schema
    .createTable('e2e_cross_signing_keys')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('key_type', 'text', (col) => col.notNull())
    .addColumn('key_json', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('e2e_cross_signing_keys_pkey', ['user_id', 'key_type'])
    .execute();

  await db.schema
    .createTable('e2e_signatures')
    .addColumn('target_user_id', 'text', (col) => col.notNull())
    .addColumn('target_key_id', 'text', (col) => col.notNull())
    .addColumn('signer_user_id', 'text', (col) => col.notNull())
    .addColumn('signer_key_id', 'text', (col) => col.notNull())
    .addColumn('signature', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('e2e_signatures_pkey', [
      'target_user_id',
      'target_key_id',
      'signer_user_id',
      'signer_key_id',
    ])
    .execute();

  await db.schema
    .createTable('device_list_changes')
    .addColumn('stream_id', 'bigserial', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text')
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('device_list_changes_user_idx')
    .on('device_list_changes')
    .columns(['user_id', 'stream_id'])
    .execute();

  await db.schema
    .createTable('remote_device_lists')
    .addColumn('user_id', 'text', (col) => col.primaryKey())
    .addColumn('stream_id', 'text', (col) => col.notNull())
    .addColumn('stale', 'boolean', (col) => col.notNull())
    .addColumn('updated_ts', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'remote_device_lists',
    'device_list_changes',
    'e2e_signatures',
    'e2e_cross_signing_keys',
    'e2e_fallback_keys',
    'e2e_one_time_keys',
    'e2e_device_keys',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
