// Ignoring users (spec module "Ignoring Users"): a user lists others in the `m.ignored_user_list`
// global account data, and from then on is not sent their events, except state events (so that a
// room's name or members do not look different for having ignored someone), nor their invites.
// The list is read on each request that filters by it, so a change applies from the next one;
// events missed while a user was ignored are not sent afterwards (the client may sync afresh).
// https://spec.matrix.org/latest/client-server-api/#ignoring-users
import type { Kysely } from 'kysely';
import { isJsonObject } from '../core/pdu.ts';
import { badJson } from '../http/matrix-error.ts';
import { GLOBAL_ACCOUNT_DATA, getAccountData } from '../storage/account-data.ts';
import type { Database } from '../storage/schema.ts';

export const IGNORED_USER_LIST = 'm.ignored_user_list';

/**
 * The users `userId` ignores. Content that is not of the event's shape (stored before it was
 * checked, say) ignores nobody, and a user never ignores themself: their own events always show.
 */
export function ignoredUsersIn(content: unknown, userId: string): Set<string> {
  const listed = isJsonObject(content) ? content.ignored_users : undefined;
  if (!isJsonObject(listed)) return new Set();
  const ignored = new Set(Object.keys(listed));
  ignored.delete(userId);
  return ignored;
}

export async function loadIgnoredUsers(db: Kysely<Database>, userId: string): Promise<Set<string>> {
  const content = await getAccountData(db, userId, GLOBAL_ACCOUNT_DATA, IGNORED_USER_LIST);
  return ignoredUsersIn(content, userId);
}

/**
 * Refuses `m.ignored_user_list` content that does not match the event's schema (400 M_BAD_JSON):
 * `ignored_users` must be an object whose values are objects. Keys are not checked further, as
 * a key that is no user id matches no sender.
 */
export function checkIgnoredUserList(content: Record<string, unknown>): void {
  const listed = content.ignored_users;
  if (!isJsonObject(listed)) throw badJson('ignored_users must be an object of user ids');
  for (const [userId, value] of Object.entries(listed)) {
    if (!isJsonObject(value)) throw badJson(`ignored_users["${userId}"] must be an object`);
  }
}
