// Whether /register may create an account with this username: checked before user-interactive
// auth, as the spec requires, so a client learns of a taken name before completing any stage.
import type { Kysely } from 'kysely';
import { MatrixError } from '../http/matrix-error.ts';
import type { Database } from '../storage/schema.ts';
import { getUserByLocalpart } from '../storage/users.ts';
import { localpartOfUsername, userIdForLocalpart } from './localpart.ts';

/** Returns the localpart the username maps to; throws M_INVALID_USERNAME or M_USER_IN_USE. */
export async function checkUsernameAvailable(
  db: Kysely<Database>,
  username: string,
  serverName: string,
): Promise<string> {
  const localpart = localpartOfUsername(username);
  const userId = userIdForLocalpart(localpart, serverName);
  if (await getUserByLocalpart(db, localpart)) {
    throw new MatrixError(400, 'M_USER_IN_USE', `User ID ${userId} already taken`);
  }
  return localpart;
}
