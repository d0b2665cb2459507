// Identity assertion: a request carrying an application service's as_token acts as the service's
// sender, or, with `?user_id=`, as a registered user of its users namespace (exclusive or not).
// https://spec.matrix.org/latest/application-service-api/#identity-assertion
//
// The device is the one named by `?device_id=` when it is that user's (MSC3202 device
// masquerading, as Synapse has it), else a fixed device per user, created on first use, so that
// endpoints which need a device (to-device messages, keys, transaction ids) work as for any client.
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { forbidden, invalidParam } from '../http/matrix-error.ts';
import type { AuthenticatedUser } from '../http/require-user.ts';
import { createDevice, getDevice } from '../storage/devices.ts';
import { getUserById } from '../storage/users.ts';
import { isAppServiceUser } from './app-services.ts';
import type { AppServiceRegistration } from './registration.ts';

/** The device application service requests act from when they name none. */
export const APP_SERVICE_DEVICE_ID = 'APPSERVICE';

export async function appServiceUser(
  ctx: Context,
  request: FastifyRequest,
  registration: AppServiceRegistration,
  token: string,
): Promise<AuthenticatedUser> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const asserted = singleParam(query, 'user_id');
  const userId = asserted ?? registration.senderUserId;
  const isSender = userId === registration.senderUserId;
  if (!isSender) {
    if (!userId.endsWith(`:${ctx.config.serverName}`) || !isAppServiceUser(registration, userId)) {
      throw forbidden(`Application service cannot masquerade as ${userId}`);
    }
  }
  const user = await getUserById(ctx.db, userId);
  if (!user || user.isDeactivated) {
    throw forbidden(`Application service has not registered ${userId}`);
  }
  return {
    userId,
    deviceId: await deviceFor(ctx, userId, singleParam(query, 'device_id')),
    isAdmin: user.isAdmin,
    accessToken: token,
    // The spec exempts the sender always, masqueraded users when the registration says so.
    rateLimited: !isSender && registration.rateLimited,
  };
}

async function deviceFor(ctx: Context, userId: string, named: string | undefined): Promise<string> {
  if (named !== undefined) {
    if (!(await getDevice(ctx.db, userId, named))) {
      throw invalidParam(`${userId} has no device ${named}`);
    }
    return named;
  }
  const known = ctx.appServices.knownDevices;
  if (!known.has(userId)) {
    // Idempotent: concurrent first requests, or a restart, find the device there already.
    await createDevice(ctx.db, {
      userId,
      deviceId: APP_SERVICE_DEVICE_ID,
      displayName: 'Application service',
      now: ctx.now(),
    });
    known.add(userId);
  }
  return APP_SERVICE_DEVICE_ID;
}

/** A query parameter given once; repeated, it is refused rather than one copy picked. */
function singleParam(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw invalidParam(`${name} must be given once, and not empty`);
  }
  return value;
}
