// Remote servers' signing keys (federation/keys/remote-keys.ts): one row per server and key id,
// with the response it came in so the notary endpoints can serve it again. Frozen: later changes
// go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_keys')
    .addColumn('server_name', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('valid_until_ts', 'bigint', (col) => col.notNull())
    .addColumn('expired_ts', 'bigint')
    .addColumn('fetched_ts', 'bigint', (col) => col.notNull())
    .addColumn('from_server', 'text', (col) => col.notNull())
    .addColumn('response_json', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('server_keys_pkey', ['server_name', 'key_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_keys').execute();
}
