// POST /_matrix/client/v3/refresh
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3refresh
import { type RefreshBody, refreshBody } from '../../../schemas/requests/refresh.ts';
import { refreshSession } from '../../accounts/refresh-session.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

// Authenticated by the refresh token in the body, not by an access token.
export const refresh = defineEndpoint<Context, RefreshBody>({
  method: 'POST',
  path: '/_matrix/client/v3/refresh',
  schema: { body: refreshBody },
  handler: async (ctx, request) => {
    const session = await refreshSession(ctx, request.body.refresh_token);
    return {
      access_token: session.accessToken,
      refresh_token: session.refreshToken,
      expires_in_ms: session.expiresInMs,
    };
  },
});
