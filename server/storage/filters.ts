// Filters uploaded by clients, kept as they were sent (after schema validation).

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Returns the new filter's id. */
export async function createFilter(
  db: Kysely<Database>,
  userId: string,
  filter: Record<string, unknown>,
  now: number,
): Promise<string> {
  const row = await db
    .insertInto('filters')
    .values({ user_id: userId, filter_json: JSON.stringify(filter), created_ts: now })
    .returning('filter_id')
    .executeTakeFirstOrThrow();
  return String(row.filter_id);
}

/** Undefined when the user has no filter with this id (including ids that are not numbers). */
export async function getFilter(
  db: Kysely<Database>,
  userId: string,
  filterId: string,
): Promise<Record<string, unknown> | undefined> {
  if (!/^\d{1,15}$/.test(filterId)) return undefined;
  const row = await db
    .selectFrom('filters')
    .select('filter_json')
    .where('user_id', '=', userId)
    .where('filter_id', '=', Number(filterId))
    .executeTakeFirst();
  return row && (JSON.parse(row.filter_json) as Record<string, unknown>);
}
