// One row per event whose content has an `m.relates_to` with a `rel_type` (see the
// receipts-relations migration).
export interface EventRelationsTable {
  /** The child: the event carrying `m.relates_to`. */
  event_id: string;
  room_id: string;
  /** The parent named by `m.relates_to.event_id`. */
  relates_to_id: string;
  rel_type: string;
  event_type: string;
  sender: string;
  stream_ordering: number;
}
