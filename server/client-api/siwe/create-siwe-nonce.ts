// POST /_cairn/v1/siwe/nonce
// Cairn's own endpoint (Sign-In with Ethereum, EIP-4361: https://eips.ethereum.org/EIPS/eip-4361).
// No access token: a client asks for a nonce before it signs in. The answer also says what the
// message must name here (domain, URI, chain id), so a client need not guess. Rate limited per
// client address (rate_limit_siwe_nonce_*): every nonce is a row until it expires.
import { randomBytes } from 'node:crypto';
import { siweSettingsOf } from '../../accounts/siwe/siwe-settings.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { unrecognized } from '../../http/matrix-error.ts';
import { takeOrThrow } from '../../http/rate-limits.ts';
import { createSiweNonce } from '../../storage/siwe-nonces.ts';

export const createSiweNonceEndpoint = defineEndpoint<Context>({
  method: 'POST',
  path: '/_cairn/v1/siwe/nonce',
  handler: async (ctx, request) => {
    const settings = siweSettingsOf(ctx.config);
    if (!settings) throw unrecognized('Sign-In with Ethereum is not enabled on this server');
    const now = ctx.now();
    takeOrThrow(ctx.rateLimits.siweNonce, request.ip, now);
    // 128 random bits as 32 hex characters: EIP-4361 asks for at least 8 alphanumerics.
    const nonce = randomBytes(16).toString('hex');
    const expiresAt = now + settings.nonceLifetimeMs;
    await createSiweNonce(ctx.db, nonce, now, expiresAt);
    return {
      nonce,
      /** Milliseconds since the Unix epoch, as Matrix gives times. */
      expires_at: expiresAt,
      domain: settings.serverName,
      uri: settings.publicBaseurl,
      chain_id: settings.chainId,
    };
  },
});
