// Wallet addresses linked to local accounts (Sign-In with Ethereum). Addresses are stored in
// lower case; callers pass any spelling.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface LinkedWallet {
  /** Lower-case hex with 0x. */
  address: string;
  userId: string;
  linkedTs: number;
}

/** The user the address signs in to, or undefined. */
export async function getWalletOwner(
  db: Kysely<Database>,
  address: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('ethereum_wallets')
    .select('user_id')
    .where('address', '=', address.toLowerCase())
    .executeTakeFirst();
  return row?.user_id;
}

/** The user's wallets, oldest link first. */
export async function listWalletsOfUser(
  db: Kysely<Database>,
  userId: string,
): Promise<LinkedWallet[]> {
  const rows = await db
    .selectFrom('ethereum_wallets')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('linked_ts')
    .orderBy('address')
    .execute();
  return rows.map((row) => ({
    address: row.address,
    userId: row.user_id,
    linkedTs: row.linked_ts,
  }));
}

/** Links the address; false if it is already linked (to this user or another). */
export async function linkWallet(
  db: Kysely<Database>,
  address: string,
  userId: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .insertInto('ethereum_wallets')
    .values({ address: address.toLowerCase(), user_id: userId, linked_ts: now })
    .onConflict((conflict) => conflict.column('address').doNothing())
    .returning('address')
    .executeTakeFirst();
  return row !== undefined;
}

/** Unlinks the address from this user; false if it was not linked to them. */
export async function unlinkWallet(
  db: Kysely<Database>,
  address: string,
  userId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('ethereum_wallets')
    .where('address', '=', address.toLowerCase())
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
