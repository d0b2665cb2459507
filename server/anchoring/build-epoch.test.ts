// Building epochs on both databases, in-process, with the local block store in a temp directory:
// rooms made and messages sent through the client API, then buildNextEpoch. Epoch 1 covers
// exactly the changed rooms with their forward extremities; an epoch with nothing new is not
// built; epoch 2 holds only the room that changed, linked to its epoch-1 snapshot. Then a room's
// archive (CAR) and its epochs, taken as if read from the chain, pass verifyRoomHistory, and an
// event edited in the database makes it fail naming that event.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { CID } from 'multiformats/cid';
import {
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../conformance-tests/support/databases.ts';
import { createTestRoom, roomPath } from '../../conformance-tests/support/room-fixtures.ts';
import { snapshotsOfRoom } from '../storage/anchoring.ts';
import { buildNextEpoch, type EpochBuildDeps } from './build-epoch.ts';
import { loadCarFile } from './car-file.ts';
import type { AnchoredOnChain } from './chain-anchorer.ts';
import { decodeEpoch } from './epoch-document.ts';
import { decodeArchiveRoot } from './event-block.ts';
import { createLocalBlockStore } from './local-block-store.ts';
import { merkleRoot } from './merkle-tree.ts';
import { roomArchiveCar } from './room-archive.ts';
import { decodeSnapshot } from './snapshot-document.ts';
import { type VerifyResult, verifyRoomHistory } from './verify-room-history.ts';

/** The harness, plus epoch building over a block store in a directory of the test's own. */
async function withAnchoring(
  t: TestContext,
  kind: (typeof DATABASE_KINDS)[number],
  fn: (client: ClientHarness, deps: EpochBuildDeps, scratch: string) => Promise<void>,
): Promise<void> {
  await withClient(t, kind, async (client) => {
    const scratch = await mkdtemp(join(tmpdir(), 'cairn-build-epoch-'));
    try {
      const { db, eventStream, now, logger } = client.ctx;
      const blocks = createLocalBlockStore(join(scratch, 'blocks'));
      await fn(client, { db, eventStream, now, logger, blocks }, scratch);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
}

let txn = 0;
async function sendMessage(
  client: ClientHarness,
  as: TestAccount,
  roomId: string,
  body: string,
): Promise<string> {
  const sent = await client.call('PUT', `${roomPath(roomId)}/send/m.room.message/t${txn++}`, {
    token: as.accessToken,
    body: { msgtype: 'm.text', body },
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  return sent.body.event_id as string;
}

async function forwardExtremities(client: ClientHarness, roomId: string) {
  const rows = await client.db
    .selectFrom('room_forward_extremities as x')
    .innerJoin('events as e', 'e.event_id', 'x.event_id')
    .select(['x.event_id', 'e.depth'])
    .where('x.room_id', '=', roomId)
    .execute();
  return rows
    .map((row) => ({ eventId: row.event_id, depth: Number(row.depth) }))
    .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

async function epochRows(client: ClientHarness) {
  return client.db.selectFrom('anchor_epochs').selectAll().orderBy('epoch').execute();
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: epochs snapshot exactly the changed rooms and link back`, (t) =>
    withAnchoring(t, kind, async (client, deps) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const rooms = [
        await createTestRoom(client, alice.accessToken, { preset: 'private_chat' }),
        await createTestRoom(client, alice.accessToken, { preset: 'public_chat' }),
        await createTestRoom(client, bob.accessToken, { preset: 'private_chat' }),
      ];
      await sendMessage(client, alice, rooms[0]!, 'one');
      await sendMessage(client, alice, rooms[1]!, 'two');

      const first = await buildNextEpoch(deps);
      assert.ok(first, 'epoch 1 is built');
      assert.equal(first.epoch, 1);
      assert.equal(first.room_count, rooms.length);
      assert.equal(first.tx_hash, null);
      assert.equal(first.stream_position, await deps.eventStream.currentPosition(deps.db));

      // The epoch document: its rooms are exactly those changed, its root is theirs.
      const firstDoc = decodeEpoch(await deps.blocks.get(CID.parse(first.cid)));
      assert.equal(firstDoc.epoch, 1);
      assert.equal(firstDoc.previous, null);
      assert.equal(firstDoc.createdAt, TEST_NOW);
      assert.deepEqual(firstDoc.rooms.map((room) => room.roomId).sort(), [...rooms].sort());
      const leaves = firstDoc.rooms.map((room) => ({
        roomId: room.roomId,
        cid: room.snapshot.toString(),
      }));
      assert.equal(firstDoc.merkleRoot, merkleRoot(leaves));
      assert.equal(first.merkle_root, firstDoc.merkleRoot);

      const firstSnapshots = new Map<string, string>();
      for (const room of firstDoc.rooms) {
        const snapshot = decodeSnapshot(await deps.blocks.get(room.snapshot));
        assert.equal(snapshot.roomId, room.roomId);
        assert.equal(snapshot.epoch, 1);
        assert.equal(snapshot.previous, null);
        assert.equal(snapshot.roomVersion, '10');
        assert.deepEqual(snapshot.heads, await forwardExtremities(client, room.roomId));
        const latest = await client.db
          .selectFrom('events')
          .select((eb) => eb.fn.max('stream_ordering').as('max'))
          .where('room_id', '=', room.roomId)
          .executeTakeFirstOrThrow();
        assert.equal(snapshot.streamPosition, Number(latest.max));
        // The row says what the block says.
        const [row] = await snapshotsOfRoom(client.db, room.roomId);
        assert.equal(row?.cid, room.snapshot.toString());
        assert.deepEqual(
          JSON.parse(row?.heads ?? '[]'),
          snapshot.heads.map((head) => ({ event_id: head.eventId, depth: head.depth })),
        );
        firstSnapshots.set(room.roomId, room.snapshot.toString());
      }

      // Nothing new: no epoch, no rows.
      assert.equal(await buildNextEpoch(deps), undefined);
      assert.equal((await epochRows(client)).length, 1);

      // New events in one room: epoch 2 holds that room only, linked to its earlier snapshot.
      const changed = rooms[2]!;
      await sendMessage(client, bob, changed, 'three');
      await sendMessage(client, bob, changed, 'four');
      const second = await buildNextEpoch(deps);
      assert.ok(second, 'epoch 2 is built');
      assert.equal(second.epoch, 2);
      assert.equal(second.room_count, 1);
      assert.ok(
        second.stream_position > first.stream_position,
        `stream position advances: ${first.stream_position} -> ${second.stream_position}`,
      );
      assert.equal(second.stream_position, await deps.eventStream.currentPosition(deps.db));
      const secondDoc = decodeEpoch(await deps.blocks.get(CID.parse(second.cid)));
      assert.equal(secondDoc.previous?.toString(), first.cid);
      assert.deepEqual(
        secondDoc.rooms.map((room) => room.roomId),
        [changed],
      );
      const snapshot = decodeSnapshot(await deps.blocks.get(secondDoc.rooms[0]?.snapshot as CID));
      assert.equal(snapshot.epoch, 2);
      assert.equal(snapshot.previous?.toString(), firstSnapshots.get(changed));
      assert.deepEqual(snapshot.heads, await forwardExtremities(client, changed));
      assert.deepEqual(
        (await snapshotsOfRoom(client.db, changed)).map((row) => row.epoch),
        [1, 2],
      );
      assert.deepEqual(
        (await snapshotsOfRoom(client.db, rooms[0]!)).map((row) => row.epoch),
        [1],
      );
      assert.deepEqual(
        (await epochRows(client)).map((row) => [row.epoch, row.stream_position]),
        [
          [1, first.stream_position],
          [2, second.stream_position],
        ],
      );
    }));

  test(`${kind}: a room's archive verifies against its epochs; an edited event is named`, (t) =>
    withAnchoring(t, kind, async (client, deps, scratch) => {
      const alice = await client.newAccount('alice');
      const roomId = await createTestRoom(client, alice.accessToken, { preset: 'private_chat' });
      const other = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const target = await sendMessage(client, alice, roomId, 'the original words');
      await sendMessage(client, alice, roomId, 'after it');
      assert.ok(await buildNextEpoch(deps));
      await sendMessage(client, alice, roomId, 'in epoch two');
      await sendMessage(client, alice, other, 'elsewhere');
      assert.ok(await buildNextEpoch(deps));

      // The epochs as the contract's Anchored events would give them.
      const anchored: AnchoredOnChain[] = (await epochRows(client)).map((row, i) => ({
        epoch: row.epoch,
        merkleRoot: row.merkle_root,
        epochCid: row.cid,
        txHash: `0x${String(i + 1).padStart(64, '0')}`,
        blockNumber: i + 1,
      }));
      let carCount = 0;
      const verify = async (): Promise<VerifyResult> => {
        const chunks: Uint8Array[] = [];
        for await (const chunk of roomArchiveCar(client.db, roomId)) chunks.push(chunk);
        const path = join(scratch, `room-${carCount++}.car`);
        await writeFile(path, Buffer.concat(chunks));
        const car = await loadCarFile(path);
        const rootCid = car.roots[0] as CID;
        return verifyRoomHistory({
          roomId,
          anchored,
          getBlock: (cid) => deps.blocks.get(typeof cid === 'string' ? CID.parse(cid) : cid),
          archive: {
            root: decodeArchiveRoot(await car.get(rootCid)),
            getEventBlock: (cid) => car.get(cid),
            eventBlockCount: car.blocks.size - 1,
          },
        });
      };

      const roomEvents = await client.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('room_id', '=', roomId)
        .executeTakeFirstOrThrow();
      const intact = await verify();
      assert.deepEqual(intact, {
        ok: true,
        epochs: 2,
        snapshots: 2,
        events: Number(roomEvents.n),
        redacted: 0,
        historyBoundary: 0,
      });

      const row = await client.db
        .selectFrom('events')
        .select('json')
        .where('event_id', '=', target)
        .executeTakeFirstOrThrow();
      assert.ok(row.json.includes('the original words'));
      await client.db
        .updateTable('events')
        .set({ json: row.json.replace('the original words', 'words never said') })
        .where('event_id', '=', target)
        .execute();
      const tampered = await verify();
      assert.equal(tampered.ok, false);
      assert.ok(!tampered.ok);
      assert.equal(tampered.eventId, target);
      assert.match(tampered.brokenLink, /its content was altered/);
      assert.ok(tampered.brokenLink.includes(target), tampered.brokenLink);

      // Put back, the history verifies again: the failure was the edit, not the archive.
      await client.db
        .updateTable('events')
        .set({ json: row.json })
        .where('event_id', '=', target)
        .execute();
      assert.equal((await verify()).ok, true);

      // A chain whose epochs do not start at 1 (one left out) is a broken link too.
      const skipped = await verifyRoomHistory({
        roomId,
        anchored: anchored.slice(1),
        getBlock: (cid) => deps.blocks.get(typeof cid === 'string' ? CID.parse(cid) : cid),
        archive: {
          root: { roomId, roomVersion: '10', heads: [], missing: [] },
          getEventBlock: () => Promise.reject(new Error('not reached')),
          eventBlockCount: 0,
        },
      });
      assert.ok(!skipped.ok);
      assert.match(skipped.brokenLink, /skip from 0 to 2/);
    }));
}
