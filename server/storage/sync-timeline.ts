// Reads of the events stream for /sync: which rooms had events in a range of positions, a room's
// timeline in a range (newest `limit`, filtered in SQL so the limit counts matching events only),
// and the state group a room was in at a position. Only events this server accepted into the room
// count: no outliers, nothing rejected.
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { RoomEventFilter } from '../../schemas/requests/sync-filter.ts';
import { STORED_EVENT_COLUMNS, type StoredEvent, toStoredEvent } from './events.ts';
import type { CarriedStateGroups } from './room-timeline.ts';
import type { Database } from './schema.ts';

/** A timeline event with its state groups (the visibility checks then need not read them). */
export interface SyncEvent extends StoredEvent, CarriedStateGroups {}

export interface TimelineQuery {
  /** Events after this position (exclusive); from the room's start when undefined. */
  readonly after: number | undefined;
  /** Events up to this position (inclusive). */
  readonly upTo: number;
  readonly limit: number;
  readonly filter?: RoomEventFilter | undefined;
  /** Senders whose non-state events are left out: the reader's ignored users. */
  readonly ignoredSenders?: readonly string[] | undefined;
}

export interface TimelineSlice {
  /** Oldest first. */
  readonly events: SyncEvent[];
  /** More matching events exist in the range before the first one returned. */
  readonly limited: boolean;
}

type EventsBuilder = ExpressionBuilder<Database, 'events'>;

export async function loadTimeline(
  db: Kysely<Database>,
  roomId: string,
  query: TimelineQuery,
): Promise<TimelineSlice> {
  let select = db
    .selectFrom('events')
    .select([...STORED_EVENT_COLUMNS, 'state_before', 'state_after'])
    .where('room_id', '=', roomId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .where('stream_ordering', '<=', query.upTo);
  if (query.after !== undefined) select = select.where('stream_ordering', '>', query.after);
  const filter = query.filter;
  if (filter) select = select.where((eb) => filterCondition(eb, filter));
  const ignored = query.ignoredSenders;
  if (ignored && ignored.length > 0) {
    // One array parameter, however long the user's list.
    select = select.where(
      sql<boolean>`(state_key IS NOT NULL OR sender <> ALL(${[...ignored]}::text[]))`,
    );
  }
  const rows = await select
    .orderBy('stream_ordering', 'desc')
    .limit(query.limit + 1)
    .execute();
  const limited = rows.length > query.limit;
  const events = rows.slice(0, query.limit).reverse().map(toSyncEvent);
  return { events, limited };
}

/**
 * Rooms with at least one event in (after, upTo], each with whether a membership event is among
 * them (who shares a room with whom may have changed there).
 */
export async function roomsWithEvents(
  db: Kysely<Database>,
  after: number,
  upTo: number,
): Promise<Map<string, boolean>> {
  if (upTo <= after) return new Map();
  const rows = await db
    .selectFrom('events')
    .select((eb) => [
      'room_id',
      eb.fn.max(sql<number>`case when type = 'm.room.member' then 1 else 0 end`).as('members'),
    ])
    .where('stream_ordering', '>', after)
    .where('stream_ordering', '<=', upTo)
    .where('outlier', '=', false)
    .groupBy('room_id')
    .execute();
  return new Map(rows.map((row) => [row.room_id, Number(row.members) === 1]));
}

/** The state group after the room's last event at or before `position`, if it had one. */
export async function stateGroupAt(
  db: Kysely<Database>,
  roomId: string,
  position: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('events')
    .select('state_after')
    .where('room_id', '=', roomId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .where('state_after', 'is not', null)
    .where('stream_ordering', '<=', position)
    .orderBy('stream_ordering', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.state_after ?? undefined;
}

function filterCondition(eb: EventsBuilder, filter: RoomEventFilter) {
  const conditions = [];
  if (filter.types) {
    conditions.push(
      filter.types.length === 0
        ? eb.val(false)
        : eb.or(filter.types.map((pattern) => typeCondition(eb, pattern))),
    );
  }
  if (filter.not_types && filter.not_types.length > 0) {
    conditions.push(eb.not(eb.or(filter.not_types.map((pattern) => typeCondition(eb, pattern)))));
  }
  if (filter.senders) {
    conditions.push(
      filter.senders.length === 0 ? eb.val(false) : eb('sender', 'in', filter.senders),
    );
  }
  if (filter.not_senders && filter.not_senders.length > 0) {
    conditions.push(eb('sender', 'not in', filter.not_senders));
  }
  if (filter.contains_url !== undefined) {
    conditions.push(eb('contains_url', '=', filter.contains_url));
  }
  return eb.and(conditions);
}

/** `*` in a filter's type is any run of characters; LIKE's own wildcards are escaped. */
function typeCondition(eb: EventsBuilder, pattern: string) {
  if (!pattern.includes('*')) return eb('type', '=', pattern);
  const like = pattern.replace(/[\\%_]/g, '\\$&').replaceAll('*', '%');
  return eb('type', 'like', like);
}

function toSyncEvent(
  row: Parameters<typeof toStoredEvent>[0] & {
    state_before: number | null;
    state_after: number | null;
  },
): SyncEvent {
  return { ...toStoredEvent(row), stateBefore: row.state_before, stateAfter: row.state_after };
}

/** Client transaction ids of the device's own events among `eventIds` (event id -> txn id). */
export async function transactionIdsOf(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  eventIds: readonly string[],
): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('event_txn_ids')
    .select(['event_id', 'txn_id'])
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('event_id', 'in', [...eventIds])
    .execute();
  return new Map(rows.map((row) => [row.event_id, row.txn_id]));
}
