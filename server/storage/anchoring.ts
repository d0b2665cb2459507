// Anchoring's rows: epochs (built, then anchored on chain in order) and each room's snapshots.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';
import type { AnchorEpochsTable, AnchorSnapshotsTable } from './tables/anchoring.ts';

export type AnchorEpochRow = Selectable<AnchorEpochsTable>;
export type AnchorSnapshotRow = Selectable<AnchorSnapshotsTable>;

export interface SnapshotHead {
  readonly event_id: string;
  readonly depth: number;
}

export async function latestEpoch(db: Kysely<Database>): Promise<AnchorEpochRow | undefined> {
  return db
    .selectFrom('anchor_epochs')
    .selectAll()
    .orderBy('epoch', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Rooms with accepted events after `position`, and their highest such position. */
export async function roomsChangedAfter(
  db: Kysely<Database>,
  position: number,
  upTo: number,
): Promise<{ roomId: string; position: number }[]> {
  const rows = await db
    .selectFrom('events')
    .select(['room_id', (eb) => eb.fn.max('stream_ordering').as('position')])
    .where('stream_ordering', '>', position)
    .where('stream_ordering', '<=', upTo)
    .where('outlier', '=', false)
    .groupBy('room_id')
    .orderBy('room_id')
    .execute();
  return rows.map((row) => ({ roomId: row.room_id, position: Number(row.position) }));
}

/** The room's current forward extremities with their depths, sorted by event id. */
export async function roomHeads(db: Kysely<Database>, roomId: string): Promise<SnapshotHead[]> {
  const rows = await db
    .selectFrom('room_forward_extremities as x')
    .innerJoin('events as e', 'e.event_id', 'x.event_id')
    .select(['x.event_id', 'e.depth'])
    .where('x.room_id', '=', roomId)
    .orderBy('x.event_id')
    .execute();
  return rows.map((row) => ({ event_id: row.event_id, depth: Number(row.depth) }));
}

/** Each room's latest snapshot, for the `previous` links of the next ones. */
export async function latestSnapshotsOf(
  db: Kysely<Database>,
  roomIds: readonly string[],
): Promise<Map<string, AnchorSnapshotRow>> {
  const latest = new Map<string, AnchorSnapshotRow>();
  if (roomIds.length === 0) return latest;
  for (let i = 0; i < roomIds.length; i += 1000) {
    const rows = await db
      .selectFrom('anchor_snapshots as s')
      .selectAll('s')
      .where('s.room_id', 'in', roomIds.slice(i, i + 1000))
      .where((eb) =>
        eb(
          's.epoch',
          '=',
          eb
            .selectFrom('anchor_snapshots as t')
            .select((t) => t.fn.max('t.epoch').as('m'))
            .whereRef('t.room_id', '=', 's.room_id'),
        ),
      )
      .execute();
    for (const row of rows) latest.set(row.room_id, row);
  }
  return latest;
}

/** An epoch and its snapshots, in one transaction. */
export async function insertEpoch(
  db: Kysely<Database>,
  epoch: Omit<AnchorEpochRow, 'tx_hash' | 'block_number' | 'chain_id' | 'contract' | 'anchored_ts'>,
  snapshots: readonly AnchorSnapshotRow[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('anchor_epochs').values(epoch).execute();
    for (let i = 0; i < snapshots.length; i += 500) {
      await trx
        .insertInto('anchor_snapshots')
        .values(snapshots.slice(i, i + 500))
        .execute();
    }
  });
}

/** Epochs not anchored yet, oldest first. */
export async function unanchoredEpochs(db: Kysely<Database>): Promise<AnchorEpochRow[]> {
  return db
    .selectFrom('anchor_epochs')
    .selectAll()
    .where('tx_hash', 'is', null)
    .orderBy('epoch')
    .execute();
}

export async function markEpochAnchored(
  db: Kysely<Database>,
  epoch: number,
  anchored: {
    readonly txHash: string;
    readonly blockNumber: number;
    readonly chainId: number;
    readonly contract: string;
    readonly now: number;
  },
): Promise<void> {
  await db
    .updateTable('anchor_epochs')
    .set({
      tx_hash: anchored.txHash,
      block_number: anchored.blockNumber,
      chain_id: anchored.chainId,
      contract: anchored.contract,
      anchored_ts: anchored.now,
    })
    .where('epoch', '=', epoch)
    .execute();
}

export async function recentEpochs(db: Kysely<Database>, limit: number): Promise<AnchorEpochRow[]> {
  return db.selectFrom('anchor_epochs').selectAll().orderBy('epoch', 'desc').limit(limit).execute();
}

export async function getEpoch(
  db: Kysely<Database>,
  epoch: number,
): Promise<AnchorEpochRow | undefined> {
  return db.selectFrom('anchor_epochs').selectAll().where('epoch', '=', epoch).executeTakeFirst();
}

/** The room's snapshots, oldest first. */
export async function snapshotsOfRoom(
  db: Kysely<Database>,
  roomId: string,
): Promise<AnchorSnapshotRow[]> {
  return db
    .selectFrom('anchor_snapshots')
    .selectAll()
    .where('room_id', '=', roomId)
    .orderBy('epoch')
    .execute();
}

/** Every snapshot of an epoch (the Merkle leaves), sorted by room id. */
export async function snapshotsOfEpoch(
  db: Kysely<Database>,
  epoch: number,
): Promise<Pick<AnchorSnapshotRow, 'room_id' | 'cid'>[]> {
  return db
    .selectFrom('anchor_snapshots')
    .select(['room_id', 'cid'])
    .where('epoch', '=', epoch)
    .orderBy('room_id')
    .execute();
}
