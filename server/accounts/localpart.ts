// User id grammar for accounts created here.
// https://spec.matrix.org/latest/appendices/#user-identifiers
import { randomBytes } from 'node:crypto';
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

/**
 * The localpart /register makes of a requested username. The spec lets the server map a username
 * onto the grammar "in a logical manner": upper-case letters become lower-case (as in Synapse);
 * anything else outside the grammar is refused by userIdForLocalpart.
 */
export function localpartOfUsername(username: string): string {
  return username.toLowerCase();
}

/** For registrations without a username. 48 random bits: a clash is refused as M_USER_IN_USE. */
export function generatedLocalpart(): string {
  return `user-${randomBytes(6).toString('hex')}`;
}
