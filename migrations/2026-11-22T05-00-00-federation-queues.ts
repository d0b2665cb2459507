// The outbound federation sender's persisted state (federation/sender/). Frozen: later changes go
// in a new migration.
//
// federation_outbox: what is still to be delivered, per destination, in queue order (id). A PDU
// row names its event (the JSON is read from `events` when sent, not copied); an EDU row holds
// its JSON. `txn_id` is set once a row went into a transaction attempt: the spec has a failed
// transaction retried under the same txnId, so the attempt's rows stay fixed until a 200.
// `edu_key` lets a newer EDU replace a queued one about the same thing (a user's receipt in a
// room) that no attempt holds yet.
//
// federation_destinations: per destination, the failures in a row, when the next attempt may be
// made, and the txnId of the attempt awaiting its 200 (so a restart retries it as it was).
//
// federation_stream_positions: how far the sender has queued each stream. `events` starts at the
// highest position stored now: events persisted before the sender existed were never meant for it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('federation_outbox')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('destination', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text')
    .addColumn('edu_type', 'text')
    .addColumn('edu_content', 'text')
    .addColumn('edu_key', 'text')
    .addColumn('txn_id', 'text')
    .addColumn('queued_ts', 'bigint', (col) => col.notNull())
    .addCheckConstraint(
      'federation_outbox_pdu_or_edu',
      sql`(event_id IS NOT NULL AND edu_type IS NULL AND edu_content IS NULL) OR (event_id IS NULL AND edu_type IS NOT NULL AND edu_content IS NOT NULL)`,
    )
    .execute();
  await db.schema
    .createIndex('federation_outbox_destination_idx')
    .on('federation_outbox')
    .columns(['destination', 'id'])
    .execute();

  await db.schema
    .createTable('federation_destinations')
    .addColumn('destination', 'text', (col) => col.primaryKey())
    .addColumn('failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('retry_at_ts', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('pending_txn_id', 'text')
    .execute();

  await db.schema
    .createTable('federation_stream_positions')
    .addColumn('stream', 'text', (col) => col.primaryKey())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .execute();
  await sql`
    INSERT INTO federation_stream_positions (stream, position)
    SELECT 'events', COALESCE(MAX(stream_ordering), 0) FROM events`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('federation_stream_positions').execute();
  await db.schema.dropTable('federation_destinations').execute();
  await db.schema.dropTable('federation_outbox').execute();
}
