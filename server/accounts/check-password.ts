// Password verification for login and for the m.login.password UIA stage.
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { getUserById, setPasswordHash, type User } from '../storage/users.ts';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.ts';

// An unknown user, or one without a password, still costs one scrypt run: answering faster would
// tell an attacker which user ids exist.
let dummyHash: Promise<string> | undefined;

/** The user if `password` is theirs (deactivated users included: the caller decides). */
export async function checkUserPassword(
  db: Kysely<Database>,
  userId: string,
  password: string,
): Promise<User | undefined> {
  const user = await getUserById(db, userId);
  const stored = user?.passwordHash ?? null;
  if (!user || stored === null) {
    dummyHash ??= hashPassword('not a password');
    await verifyPassword(password, await dummyHash);
    return undefined;
  }
  if (!(await verifyPassword(password, stored))) return undefined;
  // Hashes made with older (weaker) parameters are replaced while the password is at hand.
  if (needsRehash(stored)) await setPasswordHash(db, user.userId, await hashPassword(password));
  return user;
}
