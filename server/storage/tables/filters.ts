import type { ColumnType } from 'kysely';

// Filters uploaded with POST /user/{userId}/filter, referenced by id from /sync and /messages.
export interface FiltersTable {
  /** From a sequence: never starts with `{`, which marks an inline filter. */
  filter_id: ColumnType<number, never, never>;
  user_id: string;
  /** The filter as JSON text. */
  filter_json: string;
  created_ts: number;
}
