import type { Generated } from 'kysely';

export interface StateGroupsTable {
  state_group: Generated<number>;
  room_id: string;
  prev_group: number | null;
  delta_depth: number;
}

export interface StateGroupEntriesTable {
  state_group: number;
  type: string;
  state_key: string;
  /** Null in a delta: the entry is removed. */
  event_id: string | null;
}
