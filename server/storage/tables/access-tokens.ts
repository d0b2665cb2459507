// Only a SHA-256 of each access token is stored, so a leaked database (or backup) does not hand
// out working tokens. Tokens are random and long, so an unsalted fast hash is enough.
export interface AccessTokensTable {
  /** Lowercase hex SHA-256 of the token. */
  token_hash: string;
  user_id: string;
  device_id: string;
  /** Milliseconds since the Unix epoch. */
  created_ts: number;
  /** Null for tokens that never expire. */
  expires_ts: number | null;
}
