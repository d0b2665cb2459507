// POST /_matrix/client/v3/register with `type: "m.login.application_service"` and the as_token:
// creates a passwordless user of the service's users namespace, with no user-interactive auth.
// It works whether or not enable_registration is on (the admin allowed it by loading the
// registration), and it does not count against the per-address registration limit: the service
// creates accounts for its whole network, and it was trusted with that by the admin.
// https://spec.matrix.org/latest/application-service-api/#server-admin-style-permissions
import type { RegisterBody } from '../../schemas/requests/register.ts';
import { localpartOfUsername, userIdForLocalpart } from '../accounts/localpart.ts';
import { loginSessionBody } from '../accounts/login-session.ts';
import { registerLocalUser, registrationLogin } from '../accounts/register-local-user.ts';
import type { Context } from '../context.ts';
import type { EndpointRequest } from '../http/endpoint.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { requireAppServiceToken, requireOwnUser } from './app-service-auth.ts';

export async function registerAppServiceUser(
  ctx: Context,
  request: EndpointRequest<RegisterBody>,
): Promise<Record<string, unknown>> {
  const registration = requireAppServiceToken(ctx, request);
  const body = request.body;
  if (body.username === undefined) {
    throw new MatrixError(400, 'M_MISSING_PARAM', 'username is required');
  }
  const serverName = ctx.config.serverName;
  const localpart = localpartOfUsername(body.username);
  requireOwnUser(ctx, registration, userIdForLocalpart(localpart, serverName));
  const user = await registerLocalUser(
    {
      db: ctx.db,
      serverName,
      now: ctx.now,
      accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
    },
    {
      localpart,
      password: null,
      admin: false,
      login: registrationLogin(body, request.ip),
    },
  );
  request.log.info({ appService: registration.id, userId: user.userId }, 'registered');
  return {
    user_id: user.userId,
    home_server: serverName,
    ...(user.session ? loginSessionBody(user.session) : {}),
  };
}
