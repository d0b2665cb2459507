// Profiles of local users: display name and avatar URL.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface Profile {
  displayname: string | null;
  avatarUrl: string | null;
}

export type ProfileField = 'displayname' | 'avatar_url';

/** Creates the profile, or leaves an existing one as it is. */
export async function createProfile(
  db: Kysely<Database>,
  userId: string,
  profile: Profile,
): Promise<void> {
  await db
    .insertInto('profiles')
    .values({ user_id: userId, displayname: profile.displayname, avatar_url: profile.avatarUrl })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

/** Undefined when the user has no profile (no such local user). */
export async function getProfile(
  db: Kysely<Database>,
  userId: string,
): Promise<Profile | undefined> {
  const row = await db
    .selectFrom('profiles')
    .select(['displayname', 'avatar_url'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && { displayname: row.displayname, avatarUrl: row.avatar_url };
}

/** Sets one field (null clears it); creates the profile row if the user has none yet. */
export async function setProfileField(
  db: Kysely<Database>,
  userId: string,
  field: ProfileField,
  value: string | null,
): Promise<void> {
  const change = field === 'displayname' ? { displayname: value } : { avatar_url: value };
  await db
    .insertInto('profiles')
    .values({ user_id: userId, displayname: null, avatar_url: null, ...change })
    .onConflict((conflict) => conflict.column('user_id').doUpdateSet(change))
    .execute();
}
