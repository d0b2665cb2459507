// Nonces for Sign-In with Ethereum messages (server/accounts/siwe/). A nonce is usable from its
// issue until expires_ts, once: using it deletes it.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function createSiweNonce(
  db: Kysely<Database>,
  nonce: string,
  now: number,
  expiresTs: number,
): Promise<void> {
  // Expired nonces are dropped as new ones are issued: the table stays bounded by the issue rate
  // limit without a background job.
  await db.deleteFrom('siwe_nonces').where('expires_ts', '<=', now).execute();
  await db
    .insertInto('siwe_nonces')
    .values({ nonce, created_ts: now, expires_ts: expiresTs })
    .execute();
}

/** Whether the nonce was issued, is unexpired and not yet used (a check: it is not used up). */
export async function isSiweNonceUsable(
  db: Kysely<Database>,
  nonce: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('siwe_nonces')
    .select('nonce')
    .where('nonce', '=', nonce)
    .where('expires_ts', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Uses the nonce up; false if it was unknown, expired or already used. Of two requests racing
 * with one nonce only one deletes the row (PostgreSQL makes the second wait on the row lock and
 * then find it gone), so a replay fails even when it arrives at the same moment.
 */
export async function consumeSiweNonce(
  db: Kysely<Database>,
  nonce: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('siwe_nonces')
    .where('nonce', '=', nonce)
    .where('expires_ts', '>', now)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
