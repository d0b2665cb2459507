// Tamper-evident history (issue 8). Frozen: later changes go in a new migration.
//
// anchor_epochs: one row per epoch, numbered 1, 2, 3... Built (document published to the block
// store, `cid` and `merkle_root` set) in one transaction with its snapshots; anchored later, in
// order, when the chain confirms it (tx_hash, block_number, chain_id, contract, anchored_ts).
// An epoch with no tx_hash is queued: nothing after it is anchored before it. stream_position is
// the events stream position the epoch covers: the next epoch looks at rooms with events after it.
//
// anchor_snapshots: each room's snapshot in each epoch it changed in: its document's CID, the
// stream position and heads (forward extremities with depths, JSON text) it records. A room's
// latest row is the `previous` link of its next snapshot.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('anchor_epochs')
    .addColumn('epoch', 'bigint', (col) => col.primaryKey())
    .addColumn('cid', 'text', (col) => col.notNull())
    .addColumn('merkle_root', 'text', (col) => col.notNull())
    .addColumn('room_count', 'integer', (col) => col.notNull())
    .addColumn('stream_position', 'bigint', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('tx_hash', 'text')
    .addColumn('block_number', 'bigint')
    .addColumn('chain_id', 'bigint')
    .addColumn('contract', 'text')
    .addColumn('anchored_ts', 'bigint')
    .execute();

  await db.schema
    .createTable('anchor_snapshots')
    .addColumn('room_id', 'text', (col) => col.notNull())
    .addColumn('epoch', 'bigint', (col) => col.notNull())
    .addColumn('cid', 'text', (col) => col.notNull())
    .addColumn('stream_position', 'bigint', (col) => col.notNull())
    .addColumn('heads', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('anchor_snapshots_pkey', ['room_id', 'epoch'])
    .execute();
  await db.schema
    .createIndex('anchor_snapshots_epoch')
    .on('anchor_snapshots')
    .column('epoch')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('anchor_snapshots').execute();
  await db.schema.dropTable('anchor_epochs').execute();
}
