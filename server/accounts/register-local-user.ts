// Creates a local account, and optionally its first device and access token. Used by the CLI and
// by shared-secret registration (and, later, by /register).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MatrixError } from '../http/matrix-error.ts';
import { createAccessToken } from '../storage/access-tokens.ts';
import { createDevice } from '../storage/devices.ts';
import type { Database } from '../storage/schema.ts';
import { createUser, UserExistsError } from '../storage/users.ts';
import { userIdForLocalpart } from './localpart.ts';
import { hashPassword } from './password-hash.ts';

export interface RegisterLocalUserInput {
  localpart: string;
  password: string | null;
  admin: boolean;
  /** Create a device and an access token for it (what a registration API returns). */
  login?: { deviceId?: string; deviceDisplayName?: string };
}

export interface RegisteredUser {
  userId: string;
  deviceId?: string;
  accessToken?: string;
}

export async function registerLocalUser(
  deps: { db: Kysely<Database>; serverName: string; now: () => number },
  input: RegisterLocalUserInput,
): Promise<RegisteredUser> {
  const userId = userIdForLocalpart(input.localpart, deps.serverName);
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  return deps.db.transaction().execute(async (trx) => {
    try {
      await createUser(trx, {
        userId,
        localpart: input.localpart,
        passwordHash,
        isAdmin: input.admin,
        now: deps.now(),
      });
    } catch (err) {
      if (err instanceof UserExistsError) {
        throw new MatrixError(400, 'M_USER_IN_USE', `User ID ${userId} already taken`);
      }
      throw err;
    }
    if (!input.login) return { userId };
    const deviceId = input.login.deviceId ?? newDeviceId();
    const accessToken = newAccessToken();
    await createDevice(trx, {
      userId,
      deviceId,
      displayName: input.login.deviceDisplayName ?? null,
      now: deps.now(),
    });
    await createAccessToken(trx, { token: accessToken, userId, deviceId, now: deps.now() });
    return { userId, deviceId, accessToken };
  });
}

export function newDeviceId(): string {
  return Array.from(randomBytes(10), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
}

export function newAccessToken(): string {
  return `cairn_${randomBytes(32).toString('base64url')}`;
}
