import type { ColumnType } from 'kysely';

// Local accounts. `user_id` is the full Matrix ID (`@alice:example.org`); `localpart` is kept
// separately, unique, so a lookup by localpart does not depend on the configured server name.
export interface UsersTable {
  user_id: string;
  localpart: string;
  /** Null for accounts that cannot log in with a password (e.g. created by an admin for SSO). */
  password_hash: string | null;
  is_admin: ColumnType<boolean, boolean | undefined, boolean>;
  is_deactivated: ColumnType<boolean, boolean | undefined, boolean>;
  /** Milliseconds since the Unix epoch. */
  created_ts: number;
}
