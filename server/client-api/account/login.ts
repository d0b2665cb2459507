// POST /_matrix/client/v3/login
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3login
// Rate limited per client address (every attempt) and per account (failed attempts: an account
// under a guessing attack answers 429 until its bucket refills, whatever the password).
// Application services log their users in with `type: m.login.application_service` and their
// as_token (server/appservices/login-app-service-user.ts), outside these limits.
import { type LoginBody, loginBody } from '../../../schemas/requests/login.ts';
import { checkUserPassword } from '../../accounts/check-password.ts';
import { userIdOfLogin } from '../../accounts/login-identifier.ts';
import { loginSessionBody, startLoginSession } from '../../accounts/login-session.ts';
import { SIWE_LOGIN_TYPE, siweSettingsOf } from '../../accounts/siwe/siwe-settings.ts';
import { APP_SERVICE_LOGIN_TYPE } from '../../appservices/app-service-auth.ts';
import { loginAppServiceUser } from '../../appservices/login-app-service-user.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { badJson, forbidden, MatrixError } from '../../http/matrix-error.ts';
import { requireAllowed, takeOrThrow } from '../../http/rate-limits.ts';
import { loginWithSiwe } from '../siwe/login-with-siwe.ts';

export const login = defineEndpoint<Context, LoginBody>({
  method: 'POST',
  path: '/_matrix/client/v3/login',
  schema: { body: loginBody },
  handler: async (ctx, request) => {
    if (request.body.type === APP_SERVICE_LOGIN_TYPE) return loginAppServiceUser(ctx, request);
    const now = ctx.now();
    takeOrThrow(ctx.rateLimits.login, request.ip, now);
    const body = request.body;
    const siwe = siweSettingsOf(ctx.config);
    if (body.type === SIWE_LOGIN_TYPE && siwe) return loginWithSiwe(ctx, siwe, request);
    if (body.type !== 'm.login.password') {
      throw new MatrixError(400, 'M_UNKNOWN', `Unknown login type ${body.type}`);
    }
    const userId = userIdOfLogin(body, ctx.config.serverName);
    if (body.password === undefined) throw badJson('Missing field: password');
    requireAllowed(ctx.rateLimits.failedLogin.check(userId, now));
    const user = await checkUserPassword(ctx.db, userId, body.password);
    if (!user) {
      ctx.rateLimits.failedLogin.take(userId, now);
      throw forbidden('Invalid username or password');
    }
    // Only after the password matched: strangers learn nothing about the account.
    if (user.isDeactivated) {
      throw new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated');
    }
    const session = await ctx.db.transaction().execute((trx) =>
      startLoginSession(trx, {
        userId: user.userId,
        deviceId: body.device_id,
        deviceDisplayName: body.initial_device_display_name,
        ip: request.ip,
        refresh: body.refresh_token === true,
        accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
        now,
      }),
    );
    return {
      user_id: user.userId,
      home_server: ctx.config.serverName,
      ...loginSessionBody(session),
    };
  },
});
