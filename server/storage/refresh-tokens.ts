// Refresh tokens: hashes only, each tied to the access token issued with it and to the refresh
// token it was exchanged for. See tables/refresh-tokens.ts for the lifecycle.

import type { Kysely } from 'kysely';
import { hashAccessToken } from './access-tokens.ts';
import type { Database } from './schema.ts';

export interface NewRefreshToken {
  token: string;
  userId: string;
  deviceId: string;
  /** The access token issued together with this refresh token. */
  accessToken: string;
  /** The refresh token this one replaces, when issued by /refresh. */
  parentToken?: string;
  now: number;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  userId: string;
  deviceId: string;
  accessTokenHash: string | null;
  parentTokenHash: string | null;
}

/** The device must exist (foreign key). */
export async function createRefreshToken(
  db: Kysely<Database>,
  token: NewRefreshToken,
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: hashAccessToken(token.token),
      user_id: token.userId,
      device_id: token.deviceId,
      access_token_hash: hashAccessToken(token.accessToken),
      parent_token_hash:
        token.parentToken === undefined ? null : hashAccessToken(token.parentToken),
      created_ts: token.now,
    })
    .execute();
}

/** With forUpdate (inside a transaction), concurrent refreshes with one token run one by one. */
export async function lookupRefreshToken(
  db: Kysely<Database>,
  token: string,
  options: { forUpdate?: boolean } = {},
): Promise<RefreshTokenRecord | undefined> {
  let query = db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', hashAccessToken(token));
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return (
    row && {
      tokenHash: row.token_hash,
      userId: row.user_id,
      deviceId: row.device_id,
      accessTokenHash: row.access_token_hash,
      parentTokenHash: row.parent_token_hash,
    }
  );
}

/** Deletes refresh tokens by hash together with the access tokens issued with them. */
export async function revokeRefreshTokens(
  db: Kysely<Database>,
  tokenHashes: readonly string[],
): Promise<void> {
  if (tokenHashes.length === 0) return;
  const revoked = await db
    .deleteFrom('refresh_tokens')
    .where('token_hash', 'in', tokenHashes)
    .returning('access_token_hash')
    .execute();
  const accessHashes = revoked.flatMap((row) => row.access_token_hash ?? []);
  if (accessHashes.length > 0) {
    await db.deleteFrom('access_tokens').where('token_hash', 'in', accessHashes).execute();
  }
}

/** Hashes of the refresh tokens issued in exchange for this one. */
export async function childRefreshTokenHashes(
  db: Kysely<Database>,
  parentHash: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('refresh_tokens')
    .select('token_hash')
    .where('parent_token_hash', '=', parentHash)
    .execute();
  return rows.map((row) => row.token_hash);
}
