// Refresh tokens (spec 1.3), stored as SHA-256 hashes like access tokens. Each is issued together
// with one access token; refreshing issues a child pair and keeps the parent until the child is
// itself refreshed, so a client that lost the response can retry with the parent.
export interface RefreshTokensTable {
  token_hash: string;
  user_id: string;
  device_id: string;
  /** Hash of the access token issued with this refresh token. */
  access_token_hash: string | null;
  /** Hash of the refresh token this one was exchanged for; null for one issued at login. */
  parent_token_hash: string | null;
  created_ts: number;
}
