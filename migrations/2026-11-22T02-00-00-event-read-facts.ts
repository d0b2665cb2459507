// Two facts about each event that readers need and that cost nothing to know when the event is
// persisted. Frozen: later changes go in a new migration.
//
// `replaces_state`: for a state event, the event that held its (type, state_key) in the state
// before it, or null. The persist pipeline has that state in memory; working it out on every read
// would walk the state group chain of each state event served. Clients get it as
// `unsigned.replaces_state`, with that event's content and sender as `prev_content` and
// `prev_sender`, which are read at serve time so that they follow a later redaction.
//
// `contains_url`: the content has a string `url`, for the `contains_url` filter of /sync timelines,
// applied in SQL so that a limit counts matching events. It is not computed in SQL from the JSON:
// PostgreSQL's JSON functions fail on a `\u0000` escape, which event content may hold.
//
// Existing rows are backfilled: replaces_state from the state group before each state event (the
// nearest entry for its key along the group's delta chain), contains_url by parsing, here in
// JavaScript, the events whose JSON text mentions "url" at all.
import { type Kysely, sql } from 'kysely';

const BATCH = 1000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('replaces_state', 'text').execute();
  await db.schema
    .alterTable('events')
    .addColumn('contains_url', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();

  await sql`
    UPDATE events AS e SET replaces_state = (
      WITH RECURSIVE chain(state_group, prev_group, distance) AS (
        SELECT state_group, prev_group, 0 FROM state_groups WHERE state_group = e.state_before
        UNION ALL
        SELECT g.state_group, g.prev_group, c.distance + 1
        FROM state_groups g JOIN chain c ON g.state_group = c.prev_group
      )
      SELECT s.event_id
      FROM chain c JOIN state_group_entries s ON s.state_group = c.state_group
      WHERE s.type = e.type AND s.state_key = e.state_key
      ORDER BY c.distance
      LIMIT 1
    )
    WHERE e.state_key IS NOT NULL AND e.state_before IS NOT NULL`.execute(db);

  let after = -1;
  for (;;) {
    const { rows } = await sql<{
      event_id: string;
      json: string;
      stream_ordering: number | string;
    }>`
      SELECT event_id, json, stream_ordering FROM events
      WHERE stream_ordering > ${after} AND json LIKE '%"url"%'
      ORDER BY stream_ordering
      LIMIT ${BATCH}`.execute(db);
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.stream_ordering);
    const withUrl = rows
      .filter((row) => {
        const content = (JSON.parse(row.json) as { content?: { url?: unknown } }).content;
        return typeof content?.url === 'string';
      })
      .map((row) => row.event_id);
    if (withUrl.length > 0) {
      await sql`UPDATE events SET contains_url = true WHERE event_id IN (${sql.join(withUrl)})`.execute(
        db,
      );
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('contains_url').execute();
  await db.schema.alterTable('events').dropColumn('replaces_state').execute();
}
