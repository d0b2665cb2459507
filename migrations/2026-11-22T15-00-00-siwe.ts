// Sign-In with Ethereum (issue 9). Frozen: later changes go in a new migration.
//
// siwe_nonces: nonces issued and not yet used. A login (or UIA stage) deletes its nonce in the
// transaction that signs the user in, so a nonce works once; expired rows are purged as new ones
// are issued.
// ethereum_wallets: which account each wallet address (lower-case hex, 0x-prefixed) signs in to.
// A user may link several; an address belongs to at most one account.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('siwe_nonces')
    .addColumn('nonce', 'text', (col) => col.primaryKey())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('expires_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('siwe_nonces_expires_idx')
    .on('siwe_nonces')
    .column('expires_ts')
    .execute();
  await db.schema
    .createTable('ethereum_wallets')
    .addColumn('address', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) =>
      col.notNull().references('users.user_id').onDelete('cascade'),
    )
    .addColumn('linked_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('ethereum_wallets_user_idx')
    .on('ethereum_wallets')
    .column('user_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ethereum_wallets').execute();
  await db.schema.dropTable('siwe_nonces').execute();
}
