// A few state entries (say the history visibility and one user's membership) in many state groups
// at once, without rebuilding each group's full state: one recursive query walks every group's
// delta chain and keeps, per group and key, the entry nearest to the group. Every step is an
// index lookup (see readStateGroup in state-groups.ts for why the subqueries are fenced).
import { type Kysely, sql } from 'kysely';
import { type StateKey, stateKey } from '../core/state-map.ts';
import type { Database } from './schema.ts';

/** group -> (state key -> event id); a key absent from a group's state is absent here. */
export type StateEntriesByGroup = Map<number, Map<StateKey, string>>;

export async function readStateEntries(
  db: Kysely<Database>,
  groups: Iterable<number>,
  keys: readonly (readonly [type: string, stateKey: string])[],
): Promise<StateEntriesByGroup> {
  const wanted = [...new Set(groups)];
  const found: StateEntriesByGroup = new Map(wanted.map((group) => [group, new Map()]));
  if (wanted.length === 0 || keys.length === 0) return found;
  const keyMatch = sql.join(
    keys.map(([type, key]) => sql`(e.type = ${type} AND e.state_key = ${key})`),
    sql` OR `,
  );
  const { rows } = await sql<{
    start_group: number | string;
    type: string;
    state_key: string;
    event_id: string | null;
  }>`
    WITH RECURSIVE chain(start_group, state_group, distance) AS (
      SELECT state_group, state_group, 0 FROM state_groups
      WHERE state_group IN (${sql.join(wanted)})
      UNION ALL
      SELECT c.start_group, p.prev_group, c.distance + 1
      FROM chain c CROSS JOIN LATERAL (
        SELECT prev_group FROM state_groups WHERE state_group = c.state_group OFFSET 0
      ) p
      WHERE p.prev_group IS NOT NULL
    )
    SELECT DISTINCT ON (c.start_group, e.type, e.state_key)
      c.start_group, e.type, e.state_key, e.event_id
    FROM chain c CROSS JOIN LATERAL (
      SELECT type, state_key, event_id FROM state_group_entries e
      WHERE e.state_group = c.state_group AND (${keyMatch}) OFFSET 0
    ) e
    ORDER BY c.start_group, e.type, e.state_key, c.distance ASC`.execute(db);
  for (const row of rows) {
    // A null entry in a delta removes the key from that group on.
    if (row.event_id === null) continue;
    found.get(Number(row.start_group))?.set(stateKey(row.type, row.state_key), row.event_id);
  }
  return found;
}
