// The UIA stages Cairn offers, one checker each. A checker gets the auth dict and the requester
// (if the request carried an access token) and says whether the stage is passed, and what it
// established for the endpoint (the user proven, the registration token used).
// https://spec.matrix.org/latest/client-server-api/#authentication-types
import type { Kysely } from 'kysely';
import { MatrixError } from '../http/matrix-error.ts';
import { hashRegistrationToken, isRegistrationTokenValid } from '../storage/registration-tokens.ts';
import type { Database } from '../storage/schema.ts';
import { checkUserPassword } from './check-password.ts';
import { userIdOfLogin } from './login-identifier.ts';
import type { SiweSettings } from './siwe/siwe-settings.ts';
import { checkSiweStage } from './siwe/siwe-uia-stage.ts';

export type AuthStage =
  | 'm.login.password'
  | 'm.login.dummy'
  | 'm.login.registration_token'
  | 'org.cairn.login.siwe';

export interface StageDeps {
  db: Kysely<Database>;
  serverName: string;
  now: () => number;
  /** Sign-In with Ethereum, when enabled: the org.cairn.login.siwe stage (siwe/siwe-uia-stage.ts). */
  siwe?: SiweSettings | undefined;
}

export type StageResult =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; errcode: string; message: string };

type StageCheck = (
  deps: StageDeps,
  auth: Record<string, unknown>,
  requesterId: string | undefined,
) => Promise<StageResult>;

const MAX_REGISTRATION_TOKEN_LENGTH = 64;

const checkPassword: StageCheck = async (deps, auth, requesterId) => {
  let userId: string;
  try {
    userId = userIdOfLogin(auth, deps.serverName);
  } catch (error) {
    if (error instanceof MatrixError) return failed(error.errcode, error.message);
    throw error;
  }
  if (typeof auth.password !== 'string') return failed('M_BAD_JSON', 'Missing field: password');
  // Proving to be someone else is no proof for this session's user, and no stage a retry can
  // pass: a plain 403 (as Synapse answers), not a 401 inviting another attempt. Refused before the
  // password is checked, so the answer says nothing about the other account's password.
  if (requesterId !== undefined && userId !== requesterId) {
    throw new MatrixError(403, 'M_FORBIDDEN', 'The identifier does not match the logged-in user');
  }
  const user = await checkUserPassword(deps.db, userId, auth.password);
  if (!user || user.isDeactivated) return failed('M_FORBIDDEN', 'Invalid password');
  return { ok: true, result: { userId: user.userId } };
};

const checkDummy: StageCheck = async () => ({ ok: true, result: {} });

const checkRegistrationToken: StageCheck = async (deps, auth) => {
  const token = auth.token;
  if (typeof token !== 'string' || token.length > MAX_REGISTRATION_TOKEN_LENGTH) {
    return failed('M_BAD_JSON', 'token must be a string of at most 64 characters');
  }
  if (!(await isRegistrationTokenValid(deps.db, token, deps.now()))) {
    return failed('M_FORBIDDEN', 'Invalid registration token');
  }
  // The use is counted when the account is created (register.ts), not here: a client that
  // abandons registration after this stage does not use the token up.
  // The session keeps the digest only: a stored session holds no usable token.
  return { ok: true, result: { tokenDigest: hashRegistrationToken(token) } };
};

export const UIA_STAGES: Readonly<Record<AuthStage, StageCheck>> = {
  'm.login.password': checkPassword,
  'm.login.dummy': checkDummy,
  'm.login.registration_token': checkRegistrationToken,
  'org.cairn.login.siwe': checkSiweStage,
};

function failed(errcode: string, message: string): StageResult {
  return { ok: false, errcode, message };
}
