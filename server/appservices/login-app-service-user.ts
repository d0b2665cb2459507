// POST /_matrix/client/v3/login with `type: "m.login.application_service"` and the as_token: a
// session for a user of the service's namespace (or its sender), without a password. Not counted
// against the per-address login limit: that limit slows password guessing, and there is nothing
// to guess here once the as_token matched.
// https://spec.matrix.org/latest/application-service-api/#server-admin-style-permissions
import type { LoginBody } from '../../schemas/requests/login.ts';
import { userIdOfLogin } from '../accounts/login-identifier.ts';
import { loginSessionBody, startLoginSession } from '../accounts/login-session.ts';
import type { Context } from '../context.ts';
import type { EndpointRequest } from '../http/endpoint.ts';
import { forbidden, MatrixError } from '../http/matrix-error.ts';
import { getUserById } from '../storage/users.ts';
import { requireAppServiceToken, requireOwnUser } from './app-service-auth.ts';

export async function loginAppServiceUser(
  ctx: Context,
  request: EndpointRequest<LoginBody>,
): Promise<Record<string, unknown>> {
  const registration = requireAppServiceToken(ctx, request);
  const body = request.body;
  const userId = userIdOfLogin(body, ctx.config.serverName);
  requireOwnUser(ctx, registration, userId);
  const user = await getUserById(ctx.db, userId);
  if (!user) throw forbidden(`${userId} is not registered`);
  if (user.isDeactivated) {
    throw new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated');
  }
  const session = await ctx.db.transaction().execute((trx) =>
    startLoginSession(trx, {
      userId,
      deviceId: body.device_id,
      deviceDisplayName: body.initial_device_display_name,
      ip: request.ip,
      refresh: body.refresh_token === true,
      accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
      now: ctx.now(),
    }),
  );
  return { user_id: userId, home_server: ctx.config.serverName, ...loginSessionBody(session) };
}
