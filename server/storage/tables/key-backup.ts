import type { Generated } from 'kysely';

// Server-side key backups (migration key-backup).

/** A backup version of a user; the current one is the highest not deleted. */
export interface KeyBackupVersionsTable {
  user_id: string;
  /** 1, 2, 3... per user; the API shows it as a string. */
  version: number;
  algorithm: string;
  /** The client's auth_data as JSON text. */
  auth_data: string;
  /** Bumped by every change to the version's keys; the API's etag is its decimal text. */
  etag: Generated<number>;
  /** Sessions stored in the version, kept in step with key_backup_sessions. */
  key_count: Generated<number>;
  /** Deleted versions keep their row (and number) but no keys. */
  deleted: Generated<boolean>;
  created_ts: number;
}

/** One backed-up session key. */
export interface KeyBackupSessionsTable {
  user_id: string;
  version: number;
  room_id: string;
  session_id: string;
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  /** Encrypted by the client (algorithm-dependent JSON), opaque to the server. */
  session_data: string;
}
