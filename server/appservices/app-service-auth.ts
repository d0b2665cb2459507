// What /register and /login check for application services: that an `m.login.application_service`
// request carries a known as_token, that the user it names is the service's to create or log in
// as, and that ordinary registrations stay out of exclusive namespaces. Refusals are M_EXCLUSIVE.
// https://spec.matrix.org/latest/application-service-api/#server-admin-style-permissions
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { MatrixError, missingToken, unknownToken } from '../http/matrix-error.ts';
import { accessTokenOf } from '../http/require-user.ts';
import { isAppServiceUser } from './app-services.ts';
import type { AppServiceRegistration } from './registration.ts';

export const APP_SERVICE_LOGIN_TYPE = 'm.login.application_service';

/** The registration whose as_token the request carries; else 401, as for any bad token. */
export function requireAppServiceToken(
  ctx: Context,
  request: FastifyRequest,
): AppServiceRegistration {
  const token = accessTokenOf(request);
  if (token === undefined) throw missingToken();
  const registration = ctx.appServices.byToken(token);
  if (!registration) throw unknownToken(false);
  return registration;
}

/** Throws M_EXCLUSIVE unless `registration` may create or log in as `userId`. */
export function requireOwnUser(
  ctx: Context,
  registration: AppServiceRegistration,
  userId: string,
): void {
  if (!isAppServiceUser(registration, userId)) {
    throw exclusive(
      `${userId} is outside the namespaces of application service ${registration.id}`,
    );
  }
  // Another service's exclusive claim wins over this one's shared one.
  if (ctx.appServices.exclusiveClaimants(userId).some((other) => other !== registration)) {
    throw exclusive(`${userId} is reserved by another application service`);
  }
}

/** Throws M_EXCLUSIVE if an application service claims `userId` exclusively (ordinary sign-up). */
export function refuseExclusiveUser(ctx: Context, userId: string): void {
  if (ctx.appServices.exclusiveClaimants(userId).length > 0) {
    throw exclusive(`${userId} is reserved by an application service`);
  }
}

function exclusive(message: string): MatrixError {
  return new MatrixError(400, 'M_EXCLUSIVE', message);
}
