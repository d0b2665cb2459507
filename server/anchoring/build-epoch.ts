// Builds the next epoch: a snapshot of every room with new events since the last epoch (its
// forward extremities with depths, its stream position, a link to its previous snapshot), each
// published as a dag-json block, then the epoch document over all of them with the Merkle root
// of their (room id, snapshot CID) leaves. The rows land in one transaction after every block is
// stored, so a crash leaves either the whole epoch or none of it (a block stored for nothing is
// harmless: content-addressed, the next attempt stores the same or a newer one).
import { CID } from 'multiformats/cid';
import type { Context } from '../context.ts';
import {
  type AnchorEpochRow,
  type AnchorSnapshotRow,
  insertEpoch,
  latestEpoch,
  latestSnapshotsOf,
  roomHeads,
  roomsChangedAfter,
} from '../storage/anchoring.ts';
import { getRoomVersionOf } from '../storage/events.ts';
import { type ArchivePolicy, archiveNewEvents, isArchivedRoom } from './archive-room-events.ts';
import { epochDocument } from './epoch-document.ts';
import type { IpldBlockStore } from './ipld-block-store.ts';
import { merkleRoot } from './merkle-tree.ts';
import { compareUtf8, encodeBlock, roomSnapshot } from './snapshot-document.ts';

export type EpochBuildDeps = Pick<Context, 'db' | 'eventStream' | 'now' | 'logger'> & {
  readonly blocks: IpldBlockStore;
  /** Which rooms' events are archived with their snapshots; none when absent. */
  readonly archive?: ArchivePolicy;
};

/** Blocks stored at once while publishing snapshots. */
const PUBLISH_CONCURRENCY = 8;

/** The new epoch's row, or undefined when no room changed since the last one. */
export async function buildNextEpoch(deps: EpochBuildDeps): Promise<AnchorEpochRow | undefined> {
  const { db } = deps;
  const last = await latestEpoch(db);
  const from = last?.stream_position ?? 0;
  const upTo = await deps.eventStream.currentPosition(db);
  const changed = await roomsChangedAfter(db, from, upTo);
  if (changed.length === 0) return undefined;
  const epoch = (last?.epoch ?? 0) + 1;
  const previous = await latestSnapshotsOf(
    db,
    changed.map((room) => room.roomId),
  );

  const snapshots: AnchorSnapshotRow[] = [];
  let next = 0;
  const worker = async () => {
    while (next < changed.length) {
      const room = changed[next++] as (typeof changed)[number];
      const [heads, roomVersion] = await Promise.all([
        roomHeads(db, room.roomId),
        getRoomVersionOf(db, room.roomId),
      ]);
      if (heads.length === 0 || roomVersion === undefined) continue;
      const prior = previous.get(room.roomId);
      const block = encodeBlock(
        roomSnapshot({
          roomId: room.roomId,
          roomVersion,
          heads: heads.map((head) => ({ eventId: head.event_id, depth: head.depth })),
          streamPosition: room.position,
          previous: prior ? CID.parse(prior.cid) : null,
          epoch,
        }),
      );
      await deps.blocks.put(block.cid, block.bytes);
      if (deps.archive && (await isArchivedRoom(db, deps.archive, room.roomId))) {
        await archiveNewEvents(deps, { roomId: room.roomId, roomVersion, upTo: upTo });
      }
      snapshots.push({
        room_id: room.roomId,
        epoch,
        cid: block.cid.toString(),
        stream_position: room.position,
        heads: JSON.stringify(heads),
      });
    }
  };
  await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, worker));
  if (snapshots.length === 0) return undefined;

  // One order for the document and the tree: by room id in UTF-8 byte order (the database's
  // collation may differ).
  snapshots.sort((a, b) => compareUtf8(a.room_id, b.room_id));
  const leaves = snapshots.map((s) => ({ roomId: s.room_id, cid: s.cid }));
  const root = merkleRoot(leaves);
  const createdTs = deps.now();
  const document = encodeBlock(
    epochDocument({
      epoch,
      previous: last ? CID.parse(last.cid) : null,
      merkleRoot: root,
      rooms: snapshots.map((s) => ({ roomId: s.room_id, snapshot: CID.parse(s.cid) })),
      createdAt: createdTs,
    }),
  );
  await deps.blocks.put(document.cid, document.bytes);
  const row = {
    epoch,
    cid: document.cid.toString(),
    merkle_root: root,
    room_count: snapshots.length,
    stream_position: upTo,
    created_ts: createdTs,
  };
  await insertEpoch(db, row, snapshots);
  deps.logger.info({ epoch, rooms: snapshots.length, cid: row.cid }, 'anchoring epoch built');
  return {
    ...row,
    tx_hash: null,
    block_number: null,
    chain_id: null,
    contract: null,
    anchored_ts: null,
  };
}
