// Local user accounts.

import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';
import type { UsersTable } from './tables/users.ts';

export interface User {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  isAdmin: boolean;
  isDeactivated: boolean;
  createdTs: number;
}

export interface NewUser {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  isAdmin?: boolean;
  now: number;
}

export class UserExistsError extends Error {
  readonly userId: string;

  constructor(userId: string) {
    super(`user ${userId} already exists`);
    this.name = 'UserExistsError';
    this.userId = userId;
  }
}

/** Throws UserExistsError if the user id or the localpart is taken; the existing row is kept. */
export async function createUser(db: Kysely<Database>, user: NewUser): Promise<User> {
  if (!user.userId.startsWith(`@${user.localpart}:`)) {
    throw new Error(`user id ${user.userId} does not have the localpart ${user.localpart}`);
  }
  // ON CONFLICT DO NOTHING rather than catching error 23505: it reads the same on both backends,
  // and a failed INSERT would abort a surrounding transaction on PostgreSQL.
  const row = await db
    .insertInto('users')
    .values({
      user_id: user.userId,
      localpart: user.localpart,
      password_hash: user.passwordHash,
      is_admin: user.isAdmin ?? false,
      created_ts: user.now,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new UserExistsError(user.userId);
  return toUser(row);
}

export async function getUserById(db: Kysely<Database>, userId: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toUser(row);
}

export async function getUserByLocalpart(
  db: Kysely<Database>,
  localpart: string,
): Promise<User | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('localpart', '=', localpart)
    .executeTakeFirst();
  return row && toUser(row);
}

/** Returns false if there is no such user. */
export async function setPasswordHash(
  db: Kysely<Database>,
  userId: string,
  passwordHash: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Returns false if there is no such user. */
export async function setAdmin(
  db: Kysely<Database>,
  userId: string,
  isAdmin: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ is_admin: isAdmin })
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Users in user id order; page with `after` (the last user id of the previous page). */
export async function listUsers(
  db: Kysely<Database>,
  page: { after?: string; limit?: number } = {},
): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().orderBy('user_id');
  if (page.after !== undefined) query = query.where('user_id', '>', page.after);
  if (page.limit !== undefined) query = query.limit(page.limit);
  return (await query.execute()).map(toUser);
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    userId: row.user_id,
    localpart: row.localpart,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin,
    isDeactivated: row.is_deactivated,
    createdTs: row.created_ts,
  };
}

/** Marks the account deactivated; returns false if there is no such user. */
export async function setDeactivated(db: Kysely<Database>, userId: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ is_deactivated: true })
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
