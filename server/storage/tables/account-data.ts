import type { ColumnType } from 'kysely';

// Per-user client configuration (spec "Client Config"), global when room_id is ''.
export interface AccountDataTable {
  user_id: string;
  /** '' for global account data, otherwise the room id. */
  room_id: string;
  type: string;
  /** The content object as JSON text. */
  content: string;
  /**
   * Position in the account data stream, from the column's sequence; every write takes a new one.
   * A sequence value is taken when the statement runs, not when it commits: a reader of "changed
   * since N" must not advance past a position whose transaction may still be in flight.
   * Updated only to the sequence's next value (storage/account-data.ts).
   */
  stream_id: ColumnType<number, never, number>;
}
