// Client transaction ids are scoped to a device AND an endpoint: the spec makes the same txnId on
// another path (another room, another event type, a redaction of another event) a new request.
// `scope` is the request path between `/rooms/` and the txnId, e.g. `!room:hs/send/m.room.message`
// or `!room:hs/redact/$event`, and joins the primary key. Frozen: later changes go in a new
// migration.
//
// Existing rows are backfilled from their event: `<room>/send/<type>`, or for a redaction
// `<room>/redact/<target>` (the target read from the JSON, top level before v11, content after).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('event_txn_ids')
    .addColumn('scope', 'text', (col) => col.notNull().defaultTo(''))
    .execute();

  await sql`
    UPDATE event_txn_ids AS t SET scope = e.room_id || '/send/' || e.type
    FROM events AS e
    WHERE e.event_id = t.event_id AND e.type <> 'm.room.redaction'`.execute(db);
  const { rows } = await sql<{ event_id: string; room_id: string; json: string }>`
    SELECT e.event_id, e.room_id, e.json FROM event_txn_ids t
    JOIN events e ON e.event_id = t.event_id
    WHERE e.type = 'm.room.redaction'`.execute(db);
  for (const row of rows) {
    const pdu = JSON.parse(row.json) as { redacts?: unknown; content?: { redacts?: unknown } };
    const target = typeof pdu.redacts === 'string' ? pdu.redacts : pdu.content?.redacts;
    if (typeof target !== 'string') continue;
    await sql`UPDATE event_txn_ids SET scope = ${`${row.room_id}/redact/${target}`}
      WHERE event_id = ${row.event_id}`.execute(db);
  }

  await db.schema.alterTable('event_txn_ids').dropConstraint('event_txn_ids_pkey').execute();
  await db.schema
    .alterTable('event_txn_ids')
    .addPrimaryKeyConstraint('event_txn_ids_pkey', ['user_id', 'device_id', 'scope', 'txn_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Rows that differ only by scope cannot share the old key: keep the earliest of each.
  await sql`
    DELETE FROM event_txn_ids AS a USING event_txn_ids AS b
    WHERE a.user_id = b.user_id AND a.device_id = b.device_id AND a.txn_id = b.txn_id
      AND (a.created_ts, a.scope) > (b.created_ts, b.scope)`.execute(db);
  await db.schema.alterTable('event_txn_ids').dropConstraint('event_txn_ids_pkey').execute();
  await db.schema
    .alterTable('event_txn_ids')
    .addPrimaryKeyConstraint('event_txn_ids_pkey', ['user_id', 'device_id', 'txn_id'])
    .execute();
  await db.schema.alterTable('event_txn_ids').dropColumn('scope').execute();
}
