import type { ColumnType } from 'kysely';

// Tokens for `m.login.registration_token` registration (spec 1.2), shared out of band. Only a
// digest of each token is stored (storage/registration-tokens.ts).
export interface RegistrationTokensTable {
  /** Lowercase hex SHA-256 of the token's UTF-8 bytes; a check constraint enforces the form. */
  token_hash: string;
  /** Null: unlimited. */
  uses_allowed: number | null;
  /** Registrations completed with this token. */
  completed: ColumnType<number, number | undefined, number>;
  /** Milliseconds since the Unix epoch; null: never expires. */
  expiry_ts: number | null;
  created_ts: number;
}
