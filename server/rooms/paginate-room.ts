// Walks a room's timeline from a stream position in one direction, keeping the events a filter
// matches and the reader may see (and did not ignore the sender of), until `limit` are found. The
// scan goes a batch at a time and gives up after MAX_SCANNED events (a reader who sees little of
// a long history), returning where it stopped: the next page starts exactly there, so pages
// neither skip nor repeat events.
import type { Kysely } from 'kysely';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import { scanTimeline } from '../storage/room-timeline.ts';
import type { Database } from '../storage/schema.ts';
import { TIMELINE_START } from '../sync/pagination-token.ts';
import { matchesRoomEventFilter, type RoomEventFilter } from './room-event-filter.ts';
import { type RoomReader, readLimitOf } from './room-reader.ts';
import { filterVisibleEvents } from './visible-events.ts';

const MAX_SCANNED = 5000;

export interface PageRequest {
  readonly dir: 'b' | 'f';
  /** Stream position to start from; `b` starts at the newest event, `f` at the oldest if absent. */
  readonly from: number | undefined;
  /** Stream position not to pass. */
  readonly to: number | undefined;
  readonly limit: number;
  readonly filter: RoomEventFilter;
  /** Senders whose non-state events are skipped: the reader's ignored users. */
  readonly ignoredSenders?: ReadonlySet<string> | undefined;
}

export interface Page {
  /** In the order walked: newest first for `b`, oldest first for `f`. */
  readonly events: StoredEvent[];
  /** Where the walk stopped: the position to continue from. */
  readonly position: number;
  /** Nothing is left to walk in this direction. */
  readonly exhausted: boolean;
}

export async function paginateRoom(
  db: Kysely<Database>,
  reader: RoomReader,
  request: PageRequest,
): Promise<Page> {
  const readLimit = readLimitOf(reader);
  const { dir } = request;
  // The range is (lower, upper]; `position` moves through it from one end.
  const lower = dir === 'b' ? (request.to ?? TIMELINE_START) : (request.from ?? TIMELINE_START);
  const upper = minDefined(dir === 'b' ? request.from : request.to, readLimit);
  let position = dir === 'b' ? (upper ?? Number.MAX_SAFE_INTEGER) : lower;
  const events: StoredEvent[] = [];
  let scanned = 0;
  if (upper !== undefined && upper <= lower) return { events, position, exhausted: true };

  while (events.length < request.limit && scanned < MAX_SCANNED) {
    const batchSize = Math.min(Math.max(2 * (request.limit - events.length), 20), 500);
    const range = dir === 'b' ? { after: lower, upTo: position } : { after: position, upTo: upper };
    const rows = await scanTimeline(db, reader.roomId, dir, range, batchSize);
    const loaded = await getEvents(
      db,
      rows.map((row) => row.eventId),
    );
    const batch = rows.flatMap((row) => loaded.get(row.eventId) ?? []);
    const matching = batch.filter(
      (event) =>
        matchesRoomEventFilter(request.filter, event) && !isIgnored(request.ignoredSenders, event),
    );
    const visible = new Set(
      (await filterVisibleEvents(db, reader, matching)).map((event) => event.eventId),
    );
    for (const row of rows) {
      scanned++;
      position = dir === 'b' ? row.streamOrdering - 1 : row.streamOrdering;
      const event = loaded.get(row.eventId);
      if (event && visible.has(event.eventId)) events.push(event);
      if (events.length === request.limit) break;
    }
    if (rows.length < batchSize && events.length < request.limit) {
      return { events, position: dir === 'b' ? lower : (upper ?? position), exhausted: true };
    }
  }
  return { events, position, exhausted: false };
}

/** State events are sent whoever sent them (spec, "Ignoring Users"). */
function isIgnored(ignored: ReadonlySet<string> | undefined, event: StoredEvent): boolean {
  const { pdu } = event;
  return ignored?.has(pdu.sender) === true && typeof pdu.state_key !== 'string';
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
