// Creates a local account with its profile, and optionally its first device and access token.
// Used by the CLI, by shared-secret registration and by POST /register.
import type { Kysely } from 'kysely';
import { MatrixError } from '../http/matrix-error.ts';
import { createProfile } from '../storage/profiles.ts';
import type { Database } from '../storage/schema.ts';
import { createUser, UserExistsError } from '../storage/users.ts';
import { userIdForLocalpart } from './localpart.ts';
import { type LoginSession, startLoginSession } from './login-session.ts';
import { hashPassword } from './password-hash.ts';

export { newAccessToken, newDeviceId } from './tokens.ts';

export interface RegisterLocalUserInput {
  localpart: string;
  password: string | null;
  admin: boolean;
  /** Defaults to the localpart, as Synapse does, so clients have a name to show. */
  displayname?: string | undefined;
  /** Create a device and an access token for it (what a registration API returns). */
  login?: {
    deviceId?: string | undefined;
    deviceDisplayName?: string | undefined;
    ip?: string | undefined;
    refresh?: boolean;
  };
  /** Runs in the registration's transaction; throwing undoes the registration. */
  inTransaction?: (trx: Kysely<Database>, userId: string) => Promise<void>;
}

/**
 * The `login` of a registration request: what POST /register asks for, unless it says
 * `inhibit_login` (then no device and no token).
 */
export function registrationLogin(
  body: {
    readonly inhibit_login?: boolean | undefined;
    readonly device_id?: string | undefined;
    readonly initial_device_display_name?: string | undefined;
    readonly refresh_token?: boolean | undefined;
  },
  ip: string,
): RegisterLocalUserInput['login'] {
  if (body.inhibit_login) return undefined;
  return {
    deviceId: body.device_id,
    deviceDisplayName: body.initial_device_display_name,
    ip,
    refresh: body.refresh_token === true,
  };
}

export interface RegisteredUser {
  userId: string;
  session?: LoginSession;
  /** Kept for callers from before refresh tokens: the same as session.deviceId/accessToken. */
  deviceId?: string;
  accessToken?: string;
}

export interface RegisterDeps {
  db: Kysely<Database>;
  serverName: string;
  now: () => number;
  /** Needed only with login.refresh. */
  accessTokenLifetimeMs?: number;
}

export async function registerLocalUser(
  deps: RegisterDeps,
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
    await createProfile(trx, userId, {
      displayname: input.displayname ?? input.localpart,
      avatarUrl: null,
    });
    await input.inTransaction?.(trx, userId);
    if (!input.login) return { userId };
    const session = await startLoginSession(trx, {
      userId,
      deviceId: input.login.deviceId,
      deviceDisplayName: input.login.deviceDisplayName,
      ip: input.login.ip,
      refresh: input.login.refresh ?? false,
      accessTokenLifetimeMs: deps.accessTokenLifetimeMs ?? 0,
      now: deps.now(),
    });
    return { userId, session, deviceId: session.deviceId, accessToken: session.accessToken };
  });
}
