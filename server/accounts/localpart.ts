// User id grammar for accounts created here.
// https://spec.matrix.org/latest/appendices/#user-identifiers
import { MatrixError } from '../http/matrix-error.ts';

const LOCALPART = /^[a-z0-9._=/+-]+$/;
const MAX_USER_ID_BYTES = 255;

/** Returns the full user id, or throws M_INVALID_USERNAME saying what is wrong. */
export function userIdForLocalpart(localpart: string, serverName: string): string {
  if (localpart.length === 0) throw invalidUsername('User name must not be empty');
  if (!LOCALPART.test(localpart)) {
    throw invalidUsername('User name may only contain a-z, 0-9, and the characters . _ = - / +');
  }
  const userId = `@${localpart}:${serverName}`;
  if (Buffer.byteLength(userId, 'utf8') > MAX_USER_ID_BYTES) {
    throw invalidUsername(`User id ${userId} is longer than ${MAX_USER_ID_BYTES} bytes`);
  }
  return userId;
}

function invalidUsername(message: string): MatrixError {
  return new MatrixError(400, 'M_INVALID_USERNAME', message);
}
