// The children of an event for GET /relations: one page in stream order, optionally following
// children of children (`recurse`), with only what the reader may see. Paged by stream position
// like /messages: `from` and `to` are positions (server/sync/pagination-token.ts).
import type { Kysely } from 'kysely';
import { listChildren } from '../storage/event-relations.ts';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { type RoomReader, readLimitOf } from './room-reader.ts';
import { filterVisibleEvents } from './visible-events.ts';

export interface RelationsRequest {
  readonly parentId: string;
  readonly relType: string | undefined;
  readonly eventType: string | undefined;
  readonly dir: 'b' | 'f';
  readonly from: number | undefined;
  readonly to: number | undefined;
  readonly limit: number;
  /** 1 for direct children only. */
  readonly depth: number;
}

export interface RelationsPage {
  readonly events: StoredEvent[];
  /** The position to continue from, if there is more. */
  readonly next: number | undefined;
}

export async function listRelations(
  db: Kysely<Database>,
  reader: RoomReader,
  request: RelationsRequest,
): Promise<RelationsPage> {
  const readLimit = readLimitOf(reader);
  const backwards = request.dir === 'b';
  const after = (backwards ? request.to : request.from) ?? 0;
  const upTo = minDefined(backwards ? request.from : request.to, readLimit);
  const rows = await listChildren(db, {
    roomId: reader.roomId,
    parentId: request.parentId,
    relType: request.relType,
    eventType: request.eventType,
    depth: request.depth,
    dir: request.dir,
    after,
    upTo,
    limit: request.limit + 1,
  });
  const page = rows.slice(0, request.limit);
  const loaded = await getEvents(
    db,
    page.map((row) => row.eventId),
  );
  const events = await filterVisibleEvents(
    db,
    reader,
    page.flatMap((row) => loaded.get(row.eventId) ?? []),
  );
  const last = page.at(-1);
  const next =
    rows.length > request.limit && last
      ? backwards
        ? last.streamOrdering - 1
        : last.streamOrdering
      : undefined;
  return { events, next };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
