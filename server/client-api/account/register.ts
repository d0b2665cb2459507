// POST /_matrix/client/v3/register
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3register
// Rate limited per client address, counting accounts created (as Synapse does): the stages of
// user-interactive auth before it are free, but nothing is started while the bucket is empty.
// Application services register their users with `type: m.login.application_service` instead
// (server/appservices/register-app-service-user.ts); names they claim exclusively are refused here.
import {
  type RegisterBody,
  type RegisterQuery,
  registerBody,
  registerQuery,
} from '../../../schemas/requests/register.ts';
import { generatedLocalpart, userIdForLocalpart } from '../../accounts/localpart.ts';
import { loginSessionBody } from '../../accounts/login-session.ts';
import { registerLocalUser, registrationLogin } from '../../accounts/register-local-user.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import { checkUsernameAvailable } from '../../accounts/username-availability.ts';
import { APP_SERVICE_LOGIN_TYPE, refuseExclusiveUser } from '../../appservices/app-service-auth.ts';
import { registerAppServiceUser } from '../../appservices/register-app-service-user.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, MatrixError } from '../../http/matrix-error.ts';
import { requireAllowed, takeOrThrow } from '../../http/rate-limits.ts';
import { useRegistrationTokenDigest } from '../../storage/registration-tokens.ts';

export function registrationPolicy(ctx: Context): UiaPolicy {
  return {
    endpoint: 'POST /register',
    flows: ctx.config.registrationRequiresToken
      ? [['m.login.registration_token']]
      : [['m.login.dummy']],
  };
}

export const register = defineEndpoint<Context, RegisterBody, RegisterQuery>({
  method: 'POST',
  path: '/_matrix/client/v3/register',
  schema: { body: registerBody, querystring: registerQuery },
  handler: async (ctx, request) => {
    if (request.query.kind === 'guest') {
      throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guest accounts are not supported');
    }
    if (request.body.type === APP_SERVICE_LOGIN_TYPE) return registerAppServiceUser(ctx, request);
    if (!ctx.config.enableRegistration) throw forbidden('Registration is disabled');
    requireAllowed(ctx.rateLimits.registration.check(request.ip, ctx.now()));
    const body = request.body;
    const serverName = ctx.config.serverName;
    // Name problems are reported before any authentication stage (spec).
    const localpart =
      body.username === undefined
        ? undefined
        : await checkUsernameAvailable(ctx.db, body.username, serverName);
    if (localpart !== undefined)
      refuseExclusiveUser(ctx, userIdForLocalpart(localpart, serverName));
    const { registrationTokenDigest } = await requireUserInteractiveAuth(
      uiaDepsOf(ctx),
      registrationPolicy(ctx),
      { auth: body.auth },
    );
    takeOrThrow(ctx.rateLimits.registration, request.ip, ctx.now());
    const user = await registerLocalUser(
      {
        db: ctx.db,
        serverName,
        now: ctx.now,
        accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
      },
      {
        localpart: localpart ?? generatedLocalpart(),
        password: body.password ?? null,
        admin: false,
        login: registrationLogin(body, request.ip),
        inTransaction:
          registrationTokenDigest === undefined
            ? undefined
            : async (trx) => {
                // Counted here, with the account, so a token cannot be used past its limit.
                if (!(await useRegistrationTokenDigest(trx, registrationTokenDigest, ctx.now()))) {
                  throw forbidden('The registration token is no longer valid');
                }
              },
      },
    );
    return {
      user_id: user.userId,
      home_server: serverName,
      ...(user.session ? loginSessionBody(user.session) : {}),
    };
  },
});
