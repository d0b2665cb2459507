import type { ColumnType, Generated } from 'kysely';

export interface RoomsTable {
  room_id: string;
  room_version: string;
  creator: string;
  created_ts: number;
  is_public: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface EventsTable {
  stream_ordering: Generated<number>;
  event_id: string;
  room_id: string;
  type: string;
  state_key: string | null;
  sender: string;
  origin_server_ts: number;
  depth: number;
  /** Canonical JSON of the PDU. */
  json: string;
  state_before: number | null;
  state_after: number | null;
  outlier: ColumnType<boolean, boolean | undefined, boolean>;
  rejected_reason: string | null;
  redacted_by: string | null;
  /**
   * For a state event: the event that held its (type, state_key) in the state before it, if any
   * (served as `unsigned.replaces_state`, with that event's content as `prev_content`).
   */
  replaces_state: ColumnType<string | null, string | null | undefined, string | null>;
  /** The content has a string `url` (the `contains_url` filter), decided when persisted. */
  contains_url: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface RoomForwardExtremitiesTable {
  room_id: string;
  event_id: string;
}

export interface CurrentStateTable {
  room_id: string;
  type: string;
  state_key: string;
  event_id: string;
  membership: string | null;
  stream_ordering: number;
}

export interface EventTxnIdsTable {
  user_id: string;
  device_id: string;
  /** The request path between `/rooms/` and the txnId: a txnId is scoped to device and path. */
  scope: string;
  txn_id: string;
  event_id: string;
  created_ts: number;
}
