import type { ColumnType } from 'kysely';

// Tokens for `m.login.registration_token` registration (spec 1.2), shared out of band.
export interface RegistrationTokensTable {
  token: string;
  /** Null: unlimited. */
  uses_allowed: number | null;
  /** Registrations completed with this token. */
  completed: ColumnType<number, number | undefined, number>;
  /** Milliseconds since the Unix epoch; null: never expires. */
  expiry_ts: number | null;
  created_ts: number;
}
