// Registration tokens: valid while unexpired and not used up. A use is counted when the account
// is created, in the same transaction, with a conditional update so that two registrations
// racing for the last use cannot both succeed.
//
// Tokens are stored and looked up as SHA-256 digests, like access tokens: the database compares
// digests, so how long a lookup takes says nothing about how much of a guessed token was right.
// Operators without this module insert `encode(sha256(convert_to('<token>', 'UTF8')), 'hex')`,
// which is the same digest (README).

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface NewRegistrationToken {
  token: string;
  usesAllowed?: number | null;
  expiryTs?: number | null;
  now: number;
}

export function hashRegistrationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createRegistrationToken(
  db: Kysely<Database>,
  token: NewRegistrationToken,
): Promise<void> {
  await db
    .insertInto('registration_tokens')
    .values({
      token_hash: hashRegistrationToken(token.token),
      uses_allowed: token.usesAllowed ?? null,
      expiry_ts: token.expiryTs ?? null,
      created_ts: token.now,
    })
    .execute();
}

export async function isRegistrationTokenValid(
  db: Kysely<Database>,
  token: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('registration_tokens')
    .select(['uses_allowed', 'completed', 'expiry_ts'])
    .where('token_hash', '=', hashRegistrationToken(token))
    .executeTakeFirst();
  if (!row) return false;
  if (row.expiry_ts !== null && row.expiry_ts <= now) return false;
  return row.uses_allowed === null || row.completed < row.uses_allowed;
}

/**
 * Counts one use of the token with this digest (hashRegistrationToken) if it is still valid;
 * returns false (and counts nothing) otherwise. By digest: the registration's UIA session keeps
 * the digest the stage accepted, not the token.
 */
export async function useRegistrationTokenDigest(
  db: Kysely<Database>,
  tokenDigest: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('registration_tokens')
    .set((eb) => ({ completed: eb('completed', '+', 1) }))
    .where('token_hash', '=', tokenDigest)
    .where((eb) => eb.or([eb('expiry_ts', 'is', null), eb('expiry_ts', '>', now)]))
    .where((eb) =>
      eb.or([eb('uses_allowed', 'is', null), eb('completed', '<', eb.ref('uses_allowed'))]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
