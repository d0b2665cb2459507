// Room state as chains of deltas (see the rooms migration). A new group stores only what changed
// from its base; every MAX_DELTA_DEPTH groups a full snapshot is written instead, so reading any
// state walks a bounded chain.
import { type Kysely, sql } from 'kysely';
import {
  type ReadonlyStateMap,
  type StateMap,
  splitStateKey,
  stateKey,
} from '../core/state-map.ts';
import type { Database } from './schema.ts';

export const MAX_DELTA_DEPTH = 50;
/** Rows per INSERT of state entries: 4 parameters each, well under 32,767 per statement. */
const ENTRIES_PER_INSERT = 2000;

/**
 * The full state of a group: one recursive query walks the delta chain to its snapshot. Each step
 * and each group's entries are looked up by primary key: `OFFSET 0` keeps PostgreSQL from
 * flattening the LATERAL subqueries into joins, which it planned as a sequential scan of
 * state_groups per step and of all of state_group_entries (61 ms for ten groups' visibility
 * entries in a database of 10,400 groups, 100 rooms of 100 members; 2.5 ms looked up). The scans
 * grew with every room's state on the server, not with the room read.
 */
export async function readStateGroup(db: Kysely<Database>, group: number): Promise<StateMap> {
  const { rows } = await sql<{ type: string; state_key: string; event_id: string | null }>`
    WITH RECURSIVE chain(state_group, distance) AS (
      SELECT state_group, 0 FROM state_groups WHERE state_group = ${group}
      UNION ALL
      SELECT p.prev_group, c.distance + 1
      FROM chain c CROSS JOIN LATERAL (
        SELECT prev_group FROM state_groups WHERE state_group = c.state_group OFFSET 0
      ) p
      WHERE p.prev_group IS NOT NULL
    )
    SELECT e.type, e.state_key, e.event_id
    FROM chain c CROSS JOIN LATERAL (
      SELECT type, state_key, event_id FROM state_group_entries e
      WHERE e.state_group = c.state_group OFFSET 0
    ) e
    ORDER BY c.distance DESC`.execute(db);
  // Rows come snapshot first, so later deltas overwrite earlier entries.
  const state: StateMap = new Map();
  for (const row of rows) {
    const key = stateKey(row.type, row.state_key);
    if (row.event_id === null) state.delete(key);
    else state.set(key, row.event_id);
  }
  return state;
}

/** Stores `state` whole, as a snapshot group (deltas on it: writeStateDelta). */
export async function writeStateGroup(
  db: Kysely<Database>,
  roomId: string,
  state: ReadonlyStateMap,
): Promise<number> {
  return insertGroup(db, roomId, null, 0, [...state]);
}

/**
 * Stores the state of `baseGroup` changed by `changes` (null removes a key) as a new group,
 * without the caller holding the base state: a state event in a room of tens of thousands of
 * members writes its one entry. When the chain is MAX_DELTA_DEPTH long the base is read and a
 * snapshot written instead (once every MAX_DELTA_DEPTH groups).
 */
export async function writeStateDelta(
  db: Kysely<Database>,
  roomId: string,
  baseGroup: number,
  changes: readonly (readonly [string, string | null])[],
): Promise<number> {
  const depth = await deltaDepthAfter(db, baseGroup);
  if (depth !== undefined) return insertGroup(db, roomId, baseGroup, depth, changes);
  const state = await readStateGroup(db, baseGroup);
  for (const [key, eventId] of changes) {
    if (eventId === null) state.delete(key);
    else state.set(key, eventId);
  }
  return insertGroup(db, roomId, null, 0, [...state]);
}

/** The depth a delta on `group` would have, or undefined when it must be a snapshot. */
async function deltaDepthAfter(db: Kysely<Database>, group: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('state_groups')
    .select('delta_depth')
    .where('state_group', '=', group)
    .executeTakeFirstOrThrow();
  return row.delta_depth + 1 < MAX_DELTA_DEPTH ? row.delta_depth + 1 : undefined;
}

async function insertGroup(
  db: Kysely<Database>,
  roomId: string,
  prevGroup: number | null,
  depth: number,
  entries: readonly (readonly [string, string | null])[],
): Promise<number> {
  const { state_group } = await db
    .insertInto('state_groups')
    .values({ room_id: roomId, prev_group: prevGroup, delta_depth: depth })
    .returning('state_group')
    .executeTakeFirstOrThrow();
  // In batches: a snapshot of a big room (8,192 members or more) in one statement passes
  // PGlite's limit of 32,767 bind parameters, and PGlite then fails the statements after it.
  for (let at = 0; at < entries.length; at += ENTRIES_PER_INSERT) {
    await db
      .insertInto('state_group_entries')
      .values(
        entries.slice(at, at + ENTRIES_PER_INSERT).map(([key, eventId]) => {
          const [type, key2] = splitStateKey(key);
          return { state_group, type, state_key: key2, event_id: eventId };
        }),
      )
      .execute();
  }
  return state_group;
}

/** Entries of `next` that differ from `base`, with null for keys `next` no longer has. */
export function diffState(
  base: ReadonlyStateMap,
  next: ReadonlyStateMap,
): [string, string | null][] {
  const changes: [string, string | null][] = [];
  for (const [key, eventId] of next) if (base.get(key) !== eventId) changes.push([key, eventId]);
  for (const key of base.keys()) if (!next.has(key)) changes.push([key, null]);
  return changes;
}
