// Registration tokens: valid while unexpired and not used up. A use is counted when the account
// is created, in the same transaction, with a conditional update so that two registrations
// racing for the last use cannot both succeed.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface NewRegistrationToken {
  token: string;
  usesAllowed?: number | null;
  expiryTs?: number | null;
  now: number;
}

export async function createRegistrationToken(
  db: Kysely<Database>,
  token: NewRegistrationToken,
): Promise<void> {
  await db
    .insertInto('registration_tokens')
    .values({
      token: token.token,
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
    .where('token', '=', token)
    .executeTakeFirst();
  if (!row) return false;
  if (row.expiry_ts !== null && row.expiry_ts <= now) return false;
  return row.uses_allowed === null || row.completed < row.uses_allowed;
}

/** Counts one use if the token is still valid; returns false (and counts nothing) otherwise. */
export async function useRegistrationToken(
  db: Kysely<Database>,
  token: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('registration_tokens')
    .set((eb) => ({ completed: eb('completed', '+', 1) }))
    .where('token', '=', token)
    .where((eb) => eb.or([eb('expiry_ts', 'is', null), eb('expiry_ts', '>', now)]))
    .where((eb) =>
      eb.or([eb('uses_allowed', 'is', null), eb('completed', '<', eb.ref('uses_allowed'))]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
