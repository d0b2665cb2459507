// The user directory over local users: a case-insensitive substring match on the user id and the
// display name. Deactivated users are not listed.

import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface DirectoryEntry {
  userId: string;
  displayname: string | null;
  avatarUrl: string | null;
}

export async function searchLocalUsers(
  db: Kysely<Database>,
  term: string,
  limit: number,
): Promise<{ results: DirectoryEntry[]; limited: boolean }> {
  const escaped = term.replace(/[\\%_]/g, (char) => `\\${char}`);
  const anywhere = `%${escaped}%`;
  const prefix = `${escaped}%`;
  const rows = await db
    .selectFrom('users')
    .leftJoin('profiles', 'profiles.user_id', 'users.user_id')
    .select(['users.user_id', 'profiles.displayname', 'profiles.avatar_url'])
    .where('users.is_deactivated', '=', false)
    .where((eb) =>
      eb.or([
        eb('users.user_id', 'ilike', anywhere),
        eb('profiles.displayname', 'ilike', anywhere),
      ]),
    )
    // Names that start with the term before names that merely contain it; then users with a
    // display name (the spec orders by "whether or not profile info is available").
    .orderBy(
      sql`case when users.localpart ilike ${prefix} or profiles.displayname ilike ${prefix} then 0 else 1 end`,
    )
    .orderBy(sql`case when profiles.displayname is null then 1 else 0 end`)
    .orderBy('users.user_id')
    .limit(limit + 1)
    .execute();
  const results = rows.slice(0, limit).map((row) => ({
    userId: row.user_id,
    displayname: row.displayname,
    avatarUrl: row.avatar_url,
  }));
  return { results, limited: rows.length > limit };
}
