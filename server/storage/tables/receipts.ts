import type { ColumnType } from 'kysely';

// The latest receipt per (room, receipt type, user, thread).
export interface ReceiptsTable {
  room_id: string;
  /** m.read or m.read.private (m.fully_read is room account data, not a receipt). */
  receipt_type: string;
  user_id: string;
  /** '' for an unthreaded receipt, else `main` or a thread root's event id. */
  thread_id: string;
  event_id: string;
  ts: number;
  /** Position in the receipts stream; every write takes a new one (storage/receipts.ts). */
  stream_id: ColumnType<number, never, number>;
}
