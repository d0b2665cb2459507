import type { ColumnType } from 'kysely';

// One row per user: the presence last published to those who share a room with them
// (server/presence/ derives timeouts from the timestamps).
export interface PresenceTable {
  user_id: string;
  /** online, unavailable or offline. */
  state: string;
  status_msg: string | null;
  /** Last pro-active event (setting online, a sync as online); 0 when never active. */
  last_active_ts: number;
  /** Until when the user is known to be in a /sync (its start plus its long-poll timeout). */
  syncing_until_ts: number;
  currently_active: boolean;
  /**
   * Position in the presence stream, from the column's sequence: a visible change takes a new
   * one. Writes are serialised (server/presence/presence-writer.ts), so the highest committed
   * position is safe for /sync tokens.
   */
  stream_id: ColumnType<number, never, number>;
}
