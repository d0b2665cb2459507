// Password change and deactivation accept a request with or without an access token (spec:
// `security: [{}, accessToken]`): with one, it must be valid and names the account; without,
// the m.login.password stage does.
import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { type AuthenticatedUser, accessTokenOf, requireUser } from '../../http/require-user.ts';

export async function optionalUser(
  ctx: Context,
  request: FastifyRequest,
): Promise<AuthenticatedUser | undefined> {
  return accessTokenOf(request) === undefined ? undefined : requireUser(ctx, request);
}
