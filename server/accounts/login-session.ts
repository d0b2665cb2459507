// What login and registration hand a client: a device (new, or an existing one named by the
// client), an access token, and with refresh support an expiring access token plus a refresh
// token. https://spec.matrix.org/latest/client-server-api/#relationship-between-access-tokens-and-devices
import type { Kysely } from 'kysely';
import { createAccessToken, deleteAccessTokensOfDevice } from '../storage/access-tokens.ts';
import { createDevice } from '../storage/devices.ts';
import { createRefreshToken } from '../storage/refresh-tokens.ts';
import type { Database } from '../storage/schema.ts';
import { newAccessToken, newDeviceId, newRefreshToken } from './tokens.ts';

export interface LoginSessionRequest {
  userId: string;
  /** The client's device id; absent: a new one is generated. */
  deviceId?: string | undefined;
  /** Used only when the device is created. */
  deviceDisplayName?: string | undefined;
  ip?: string | undefined;
  /** The client supports refresh tokens (`refresh_token: true`). */
  refresh: boolean;
  accessTokenLifetimeMs: number;
  now: number;
}

export interface LoginSession {
  deviceId: string;
  accessToken: string;
  refreshToken?: string;
  expiresInMs?: number;
}

/** Run it inside a transaction: the device and its tokens appear together or not at all. */
export async function startLoginSession(
  trx: Kysely<Database>,
  request: LoginSessionRequest,
): Promise<LoginSession> {
  const { userId, now } = request;
  const deviceId = request.deviceId ?? newDeviceId();
  const created = await createDevice(trx, {
    userId,
    deviceId,
    displayName: request.deviceDisplayName ?? null,
    ip: request.ip ?? null,
    now,
  });
  if (!created) {
    // Logging in again on a known device replaces its session: the old tokens stop working.
    await deleteAccessTokensOfDevice(trx, userId, deviceId);
    await trx
      .deleteFrom('refresh_tokens')
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .execute();
  }
  return issueTokens(trx, { ...request, deviceId });
}

/** An access token (and, with refresh, a refresh token) for an existing device. */
export async function issueTokens(
  trx: Kysely<Database>,
  request: LoginSessionRequest & { deviceId: string; parentRefreshToken?: string },
): Promise<LoginSession> {
  const { userId, deviceId, now } = request;
  const accessToken = newAccessToken();
  // Only clients that can refresh get expiring tokens; the others would simply be logged out.
  const expiresTs = request.refresh ? now + request.accessTokenLifetimeMs : null;
  await createAccessToken(trx, { token: accessToken, userId, deviceId, now, expiresTs });
  if (!request.refresh) return { deviceId, accessToken };
  const refreshToken = newRefreshToken();
  await createRefreshToken(trx, {
    token: refreshToken,
    userId,
    deviceId,
    accessToken,
    ...(request.parentRefreshToken === undefined
      ? {}
      : { parentToken: request.parentRefreshToken }),
    now,
  });
  return { deviceId, accessToken, refreshToken, expiresInMs: request.accessTokenLifetimeMs };
}

/** The token fields of a login or registration response body. */
export function loginSessionBody(session: LoginSession): Record<string, unknown> {
  return {
    access_token: session.accessToken,
    device_id: session.deviceId,
    ...(session.refreshToken === undefined
      ? {}
      : { refresh_token: session.refreshToken, expires_in_ms: session.expiresInMs }),
  };
}
