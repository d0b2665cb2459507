// Queries over the relations index (event_relations): children of a parent, the figures bundled
// with parents (threads, edits, references) and the thread roots of a room. Stream positions
// bound every query so that a departed user's view stops where their membership did.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface ChildRow {
  readonly eventId: string;
  readonly parentId: string;
  readonly streamOrdering: number;
}

export interface ChildQuery {
  readonly roomId: string;
  readonly parentId: string;
  readonly relType?: string | undefined;
  readonly eventType?: string | undefined;
  /** 1: direct children only; more follows children of children, each matching the filters. */
  readonly depth: number;
  readonly dir: 'b' | 'f';
  /** Children after this stream position (exclusive). */
  readonly after: number;
  /** Children up to this stream position (inclusive), if bounded. */
  readonly upTo: number | undefined;
  readonly limit: number;
}

/** Children of a parent (and, with depth > 1, their descendants), in stream order per `dir`. */
export async function listChildren(db: Kysely<Database>, query: ChildQuery): Promise<ChildRow[]> {
  const filters = sql.join(
    [
      sql`r.room_id = ${query.roomId}`,
      ...(query.relType === undefined ? [] : [sql`r.rel_type = ${query.relType}`]),
      ...(query.eventType === undefined ? [] : [sql`r.event_type = ${query.eventType}`]),
    ],
    sql` AND `,
  );
  const upTo = query.upTo === undefined ? sql`` : sql`AND t.stream_ordering <= ${query.upTo}`;
  const order = query.dir === 'b' ? sql`DESC` : sql`ASC`;
  // UNION (not UNION ALL) drops rows met twice; the depth bound ends any loop of relations.
  const { rows } = await sql<{ event_id: string; relates_to_id: string; stream_ordering: number }>`
    WITH RECURSIVE tree(event_id, relates_to_id, stream_ordering, depth) AS (
      SELECT r.event_id, r.relates_to_id, r.stream_ordering, 1 FROM event_relations r
      WHERE r.relates_to_id = ${query.parentId} AND ${filters}
      UNION
      SELECT r.event_id, r.relates_to_id, r.stream_ordering, t.depth + 1
      FROM event_relations r JOIN tree t ON r.relates_to_id = t.event_id
      WHERE t.depth < ${query.depth} AND ${filters}
    )
    SELECT DISTINCT t.event_id, t.relates_to_id, t.stream_ordering FROM tree t
    WHERE t.stream_ordering > ${query.after} ${upTo}
    ORDER BY t.stream_ordering ${order}
    LIMIT ${query.limit}`.execute(db);
  return rows.map((row) => ({
    eventId: row.event_id,
    parentId: row.relates_to_id,
    streamOrdering: Number(row.stream_ordering),
  }));
}

export interface TypedChildRow extends ChildRow {
  readonly relType: string;
}

/** Children of the given parents with any of the rel_types, oldest first (edits, references). */
export async function listChildrenOf(
  db: Kysely<Database>,
  roomId: string,
  parentIds: readonly string[],
  relTypes: readonly string[],
  upTo: number | undefined,
): Promise<TypedChildRow[]> {
  if (parentIds.length === 0 || relTypes.length === 0) return [];
  let query = db
    .selectFrom('event_relations')
    .select(['event_id', 'relates_to_id', 'rel_type', 'stream_ordering'])
    .where('room_id', '=', roomId)
    .where('rel_type', 'in', [...relTypes])
    .where('relates_to_id', 'in', [...new Set(parentIds)]);
  if (upTo !== undefined) query = query.where('stream_ordering', '<=', upTo);
  const rows = await query.orderBy('stream_ordering', 'asc').execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    parentId: row.relates_to_id,
    relType: row.rel_type,
    streamOrdering: row.stream_ordering,
  }));
}

export interface ThreadSummaryRow {
  readonly rootId: string;
  readonly count: number;
  readonly latestEventId: string;
  readonly participated: boolean;
}

/** For each root with thread replies: how many, the latest, and whether `userId` replied. */
export async function threadSummaries(
  db: Kysely<Database>,
  roomId: string,
  rootIds: readonly string[],
  userId: string,
  upTo: number | undefined,
): Promise<ThreadSummaryRow[]> {
  if (rootIds.length === 0) return [];
  let query = db
    .selectFrom('event_relations')
    .select((eb) => [
      'relates_to_id',
      eb.fn.countAll<number | string>().as('count'),
      eb.fn.max('stream_ordering').as('latest'),
      sql<boolean>`bool_or(sender = ${userId})`.as('participated'),
    ])
    .where('room_id', '=', roomId)
    .where('rel_type', '=', 'm.thread')
    .where('relates_to_id', 'in', [...new Set(rootIds)]);
  if (upTo !== undefined) query = query.where('stream_ordering', '<=', upTo);
  const groups = await query.groupBy('relates_to_id').execute();
  if (groups.length === 0) return [];
  const latest = await db
    .selectFrom('event_relations')
    .select(['event_id', 'stream_ordering'])
    .where(
      'stream_ordering',
      'in',
      groups.map((group) => Number(group.latest)),
    )
    .execute();
  const idAt = new Map(latest.map((row) => [row.stream_ordering, row.event_id]));
  return groups.flatMap((group) => {
    const latestEventId = idAt.get(Number(group.latest));
    if (latestEventId === undefined) return [];
    return [
      {
        rootId: group.relates_to_id,
        count: Number(group.count),
        latestEventId,
        participated: group.participated === true,
      },
    ];
  });
}

export interface ThreadRootRow {
  readonly rootId: string;
  /** Stream position of the thread's latest reply: threads are listed newest activity first. */
  readonly latest: number;
}

/** Thread roots of a room, most recent activity first. */
export async function listThreadRoots(
  db: Kysely<Database>,
  query: {
    readonly roomId: string;
    /** Only threads this user started or replied to. */
    readonly participant: string | undefined;
    /** Replies after this stream position are out of the reader's sight: they do not count. */
    readonly readLimit: number | undefined;
    /** Pagination: threads whose latest (counted) reply is at or before this position. */
    readonly upTo: number | undefined;
    readonly limit: number;
  },
): Promise<ThreadRootRow[]> {
  const readLimit =
    query.readLimit === undefined ? sql`` : sql`AND r.stream_ordering <= ${query.readLimit}`;
  const upTo =
    query.upTo === undefined ? sql`` : sql`HAVING max(r.stream_ordering) <= ${query.upTo}`;
  const participant =
    query.participant === undefined
      ? sql``
      : sql`AND (root.sender = ${query.participant} OR EXISTS (
          SELECT 1 FROM event_relations p WHERE p.relates_to_id = r.relates_to_id
          AND p.rel_type = 'm.thread' AND p.sender = ${query.participant}))`;
  const { rows } = await sql<{ relates_to_id: string; latest: number | string }>`
    SELECT r.relates_to_id, max(r.stream_ordering) AS latest
    FROM event_relations r
    JOIN events root ON root.event_id = r.relates_to_id AND root.room_id = r.room_id
    WHERE r.room_id = ${query.roomId} AND r.rel_type = 'm.thread' ${readLimit} ${participant}
    GROUP BY r.relates_to_id
    ${upTo}
    ORDER BY latest DESC
    LIMIT ${query.limit}`.execute(db);
  return rows.map((row) => ({ rootId: row.relates_to_id, latest: Number(row.latest) }));
}
