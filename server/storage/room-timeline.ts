// A room's timeline in stream order, for pagination: the events of the room this server accepted
// (no outliers, nothing rejected), between two stream positions, a batch at a time.
import type { Kysely } from 'kysely';
import type { StoredEvent } from './events.ts';
import type { Database } from './schema.ts';

export interface TimelineRow {
  readonly eventId: string;
  readonly streamOrdering: number;
}

export interface StreamRange {
  /** Events after this position (exclusive). */
  readonly after: number;
  /** Events up to this position (inclusive); unbounded when undefined. */
  readonly upTo: number | undefined;
}

/** Up to `limit` events of the range: oldest first for `f`, newest first for `b`. */
export async function scanTimeline(
  db: Kysely<Database>,
  roomId: string,
  dir: 'b' | 'f',
  range: StreamRange,
  limit: number,
): Promise<TimelineRow[]> {
  let query = db
    .selectFrom('events')
    .select(['event_id', 'stream_ordering'])
    .where('room_id', '=', roomId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .where('stream_ordering', '>', range.after);
  if (range.upTo !== undefined) query = query.where('stream_ordering', '<=', range.upTo);
  const rows = await query
    .orderBy('stream_ordering', dir === 'b' ? 'desc' : 'asc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ eventId: row.event_id, streamOrdering: row.stream_ordering }));
}

export interface EventStateGroups {
  readonly before: number | null;
  readonly after: number | null;
}

/** The state groups before and after each event (null before a create event and for outliers). */
export async function getEventStateGroups(
  db: Kysely<Database>,
  eventIds: readonly string[],
): Promise<Map<string, EventStateGroups>> {
  const found = new Map<string, EventStateGroups>();
  if (eventIds.length === 0) return found;
  const rows = await db
    .selectFrom('events')
    .select(['event_id', 'state_before', 'state_after'])
    .where('event_id', 'in', [...new Set(eventIds)])
    .execute();
  for (const row of rows) {
    found.set(row.event_id, { before: row.state_before, after: row.state_after });
  }
  return found;
}

/**
 * getEventStateGroups for events in hand: those read with their groups (a sync timeline's) need
 * no query; the others are read.
 */
export async function stateGroupsOfEvents(
  db: Kysely<Database>,
  events: readonly (StoredEvent | (StoredEvent & CarriedStateGroups))[],
): Promise<Map<string, EventStateGroups>> {
  const found = new Map<string, EventStateGroups>();
  const unknown: string[] = [];
  for (const event of events) {
    if ('stateBefore' in event) {
      found.set(event.eventId, { before: event.stateBefore, after: event.stateAfter });
    } else {
      unknown.push(event.eventId);
    }
  }
  for (const [eventId, groups] of await getEventStateGroups(db, unknown))
    found.set(eventId, groups);
  return found;
}

/** The state groups an event was read with (sync-timeline.ts's SyncEvent). */
export interface CarriedStateGroups {
  readonly stateBefore: number | null;
  readonly stateAfter: number | null;
}

/** The stream positions of a user's membership events in a room, with their JSON, oldest first. */
export async function getMembershipHistory(
  db: Kysely<Database>,
  roomId: string,
  userId: string,
): Promise<{ eventId: string; streamOrdering: number; membership: unknown }[]> {
  const rows = await db
    .selectFrom('events')
    .select(['event_id', 'stream_ordering', 'json'])
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .where('outlier', '=', false)
    .where('rejected_reason', 'is', null)
    .orderBy('stream_ordering', 'asc')
    .execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    streamOrdering: row.stream_ordering,
    membership: (JSON.parse(row.json) as { content?: { membership?: unknown } }).content
      ?.membership,
  }));
}
