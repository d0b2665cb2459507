// Access tokens, stored as SHA-256 hashes: the token itself exists only in the client and in the
// request carrying it. A token belongs to a device; deleting the device deletes its tokens.

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface NewAccessToken {
  token: string;
  userId: string;
  deviceId: string;
  now: number;
  /** Milliseconds since the Unix epoch; absent or null for a token that does not expire. */
  expiresTs?: number | null;
}

export interface AccessTokenOwner {
  userId: string;
  deviceId: string;
  /** Returned rather than checked here: an expired token gets a different error (soft logout). */
  expiresTs: number | null;
}

export function hashAccessToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The device must exist (foreign key). */
export async function createAccessToken(
  db: Kysely<Database>,
  token: NewAccessToken,
): Promise<void> {
  await db
    .insertInto('access_tokens')
    .values({
      token_hash: hashAccessToken(token.token),
      user_id: token.userId,
      device_id: token.deviceId,
      created_ts: token.now,
      expires_ts: token.expiresTs ?? null,
    })
    .execute();
}

export async function lookupAccessToken(
  db: Kysely<Database>,
  token: string,
): Promise<AccessTokenOwner | undefined> {
  const row = await db
    .selectFrom('access_tokens')
    .select(['user_id', 'device_id', 'expires_ts'])
    .where('token_hash', '=', hashAccessToken(token))
    .executeTakeFirst();
  return row && { userId: row.user_id, deviceId: row.device_id, expiresTs: row.expires_ts };
}

export interface AuthenticatedOwner extends AccessTokenOwner {
  isAdmin: boolean;
  isDeactivated: boolean;
}

/** The token's owner with the account facts every request checks: one round trip, not two. */
export async function lookupAccessTokenOwner(
  db: Kysely<Database>,
  token: string,
): Promise<AuthenticatedOwner | undefined> {
  const row = await db
    .selectFrom('access_tokens as t')
    .innerJoin('users as u', 'u.user_id', 't.user_id')
    .select(['t.user_id', 't.device_id', 't.expires_ts', 'u.is_admin', 'u.is_deactivated'])
    .where('t.token_hash', '=', hashAccessToken(token))
    .executeTakeFirst();
  return (
    row && {
      userId: row.user_id,
      deviceId: row.device_id,
      expiresTs: row.expires_ts,
      isAdmin: row.is_admin,
      isDeactivated: row.is_deactivated,
    }
  );
}

/** Returns false if the token was unknown. */
export async function deleteAccessToken(db: Kysely<Database>, token: string): Promise<boolean> {
  const result = await db
    .deleteFrom('access_tokens')
    .where('token_hash', '=', hashAccessToken(token))
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Deletes all the user's tokens, except those of `exceptDeviceId` if given (a password change
 * logs out the other devices). Returns how many were deleted.
 */
export async function deleteAccessTokensOfUser(
  db: Kysely<Database>,
  userId: string,
  options: { exceptDeviceId?: string } = {},
): Promise<number> {
  let query = db.deleteFrom('access_tokens').where('user_id', '=', userId);
  if (options.exceptDeviceId !== undefined) {
    query = query.where('device_id', '!=', options.exceptDeviceId);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes the tokens of one device (a login that names an existing device replaces them). */
export async function deleteAccessTokensOfDevice(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<void> {
  await db
    .deleteFrom('access_tokens')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .execute();
}
