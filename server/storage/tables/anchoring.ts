// Tamper-evident history (migration anchoring).

/** An epoch: built and published, then anchored on chain (tx_hash set) in order. */
export interface AnchorEpochsTable {
  epoch: number;
  /** The epoch document's CID (dag-json). */
  cid: string;
  /** 0x-prefixed hex of the Merkle root over (room id, snapshot CID) leaves. */
  merkle_root: string;
  room_count: number;
  /** Events up to this stream position are covered; the next epoch looks after it. */
  stream_position: number;
  created_ts: number;
  tx_hash: string | null;
  block_number: number | null;
  chain_id: number | null;
  contract: string | null;
  anchored_ts: number | null;
}

/** A room's snapshot in one epoch. */
export interface AnchorSnapshotsTable {
  room_id: string;
  epoch: number;
  cid: string;
  stream_position: number;
  /** JSON text: [{ event_id, depth }], sorted by event id. */
  heads: string;
}

/** An archived event's block (migration room-archive). */
export interface ArchiveEventBlocksTable {
  event_id: string;
  room_id: string;
  cid: string;
}

/** How far a room is archived, and its latest archive root. */
export interface ArchiveRoomsTable {
  room_id: string;
  stream_position: number;
  /** JSON text: the prev_events not held, sorted. */
  missing: string;
  root_cid: string;
}
