import type { ColumnType, Generated } from 'kysely';

// The outbound federation sender's queues (federation/sender/, migration federation-queues).

/** One PDU or EDU still to be delivered to a destination; `id` is the queue order. */
export interface FederationOutboxTable {
  id: Generated<number>;
  destination: string;
  /** A PDU: its event, read from `events` when sent. Null for an EDU. */
  event_id: string | null;
  edu_type: string | null;
  /** The EDU's content as JSON text. */
  edu_content: string | null;
  /** A newer EDU with the same key replaces this one while no attempt holds it. */
  edu_key: string | null;
  /** The transaction attempt holding the row; null while it waits for one. */
  txn_id: ColumnType<string | null, string | null | undefined, string | null>;
  queued_ts: number;
}

/** Retry state per destination. */
export interface FederationDestinationsTable {
  destination: string;
  /** Failed attempts in a row; 0 once one succeeds. */
  failures: ColumnType<number, number | undefined, number>;
  /** No attempt before this time (ms since the epoch); 0 when there is no wait. */
  retry_at_ts: ColumnType<number, number | undefined, number>;
  /** The attempt awaiting its 200, retried under the same txnId. */
  pending_txn_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** How far the sender has queued a stream (`events`: events.stream_ordering). */
export interface FederationStreamPositionsTable {
  stream: string;
  position: number;
}
