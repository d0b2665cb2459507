// Exchanging a refresh token for a new access token and refresh token.
// https://spec.matrix.org/latest/client-server-api/#refreshing-access-tokens
//
// The spec keeps the old refresh token valid "until the new access token or refresh token is
// used", so a client that lost the response can retry. Cairn revokes it when the new refresh
// token is used; a retry with the old one replaces the pair it was exchanged for. Revoking it on
// the new access token's first use as well would need a check on every authenticated request
// (server/http/require-user.ts) and is not done: the old token stays usable until then.
import type { Context } from '../context.ts';
import { unknownToken } from '../http/matrix-error.ts';
import {
  childRefreshTokenHashes,
  lookupRefreshToken,
  revokeRefreshTokens,
} from '../storage/refresh-tokens.ts';
import { issueTokens, type LoginSession } from './login-session.ts';

export async function refreshSession(ctx: Context, refreshToken: string): Promise<LoginSession> {
  return ctx.db.transaction().execute(async (trx) => {
    const record = await lookupRefreshToken(trx, refreshToken, { forUpdate: true });
    // Deleting a device (logout, deactivation) deletes its refresh tokens, so a known token
    // always has a live device behind it.
    if (!record) throw unknownToken(false);
    await revokeRefreshTokens(trx, await childRefreshTokenHashes(trx, record.tokenHash));
    if (record.parentTokenHash !== null) await revokeRefreshTokens(trx, [record.parentTokenHash]);
    if (record.accessTokenHash !== null) {
      await trx
        .deleteFrom('access_tokens')
        .where('token_hash', '=', record.accessTokenHash)
        .execute();
    }
    return issueTokens(trx, {
      userId: record.userId,
      deviceId: record.deviceId,
      refresh: true,
      accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
      now: ctx.now(),
      parentRefreshToken: refreshToken,
    });
  });
}
