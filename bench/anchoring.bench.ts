// Tamper-evident history (issue 8) at the sizes:
// (a) building and publishing an epoch for 1,000 changed rooms (buildNextEpoch only: a snapshot
//     block per room, the epoch document, the rows), first with every room's first snapshot and
//     then with every room changed again (links to previous snapshots). On PGlite, and on
//     PostgreSQL when CAIRN_TEST_DATABASE_URL names a server; on the local block store, and on
//     Kubo when CAIRN_BENCH_IPFS_API (or CAIRN_TEST_IPFS_API) names a daemon. Then, when anvil is
//     installed, those epochs anchored on a local chain (time and gas per epoch), with a one-room
//     epoch after them: the gas must not depend on the room count. Epoch figures are per room
//     (ops/s = rooms/s); the note gives the whole epoch's time.
// (b) verifyRoomHistory over a room of 100,000 events: a linear chain of real PDUs (hashed and
//     signed with the server's core functions) as archive blocks in memory, anchored by one epoch
//     whose snapshot's head is the last event. Only the verification is timed.
// Sizes: CAIRN_BENCH_ANCHOR_ROOMS (default 1000), CAIRN_BENCH_VERIFY_EVENTS (default 100000).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { JsonRpcProvider } from 'ethers';
import type { CID } from 'multiformats/cid';
import { anvilSkipReason, startAnvilChain } from '../conformance-tests/support/anvil-chain.ts';
import {
  createScratchDatabase,
  dropScratchDatabase,
} from '../conformance-tests/support/databases.ts';
import { buildTestContext } from '../conformance-tests/support/test-context.ts';
import { anchorQueuedEpochs } from '../server/anchoring/anchor-queued-epochs.ts';
import { buildNextEpoch, type EpochBuildDeps } from '../server/anchoring/build-epoch.ts';
import { deployAnchorContract } from '../server/anchoring/deploy-anchor-contract.ts';
import { epochDocument } from '../server/anchoring/epoch-document.ts';
import {
  decodeArchiveRoot,
  encodeArchiveRoot,
  encodeEventBlock,
} from '../server/anchoring/event-block.ts';
import type { IpldBlockStore } from '../server/anchoring/ipld-block-store.ts';
import { createKuboBlockStore } from '../server/anchoring/kubo-block-store.ts';
import { createLocalBlockStore } from '../server/anchoring/local-block-store.ts';
import { merkleRoot } from '../server/anchoring/merkle-tree.ts';
import { encodeBlock, roomSnapshot } from '../server/anchoring/snapshot-document.ts';
import { verifyRoomHistory } from '../server/anchoring/verify-room-history.ts';
import type { Context } from '../server/context.ts';
import { encodeCanonicalJson } from '../server/core/canonical-json.ts';
import type { JsonObject } from '../server/core/pdu.ts';
import { DEFAULT_ROOM_VERSION, getRoomVersion } from '../server/core/room-versions.ts';
import { toServerSigningKey } from '../server/keys/signing-key-file.ts';
import { buildLocalEvent } from '../server/rooms/build-local-event.ts';
import { createRoom } from '../server/rooms/create-room.ts';
import { roomDepsOf } from '../server/rooms/room-deps.ts';
import { sendLocalEvent } from '../server/rooms/send-local-event.ts';
import { openDatabase } from '../server/storage/database.ts';
import { migrateToLatest } from '../server/storage/migrate.ts';
import type { BenchFigure } from './harness.ts';

export const name = 'anchoring';

const ROOMS = Number(process.env.CAIRN_BENCH_ANCHOR_ROOMS ?? '1000');
const VERIFY_EVENTS = Number(process.env.CAIRN_BENCH_VERIFY_EVENTS ?? '100000');
const IPFS_API = process.env.CAIRN_BENCH_IPFS_API || process.env.CAIRN_TEST_IPFS_API || undefined;
const CREATOR = '@bench:example.org';
/** Rooms made (or messaged) at once while setting up; the timed part runs alone. */
const SETUP_CONCURRENCY = 8;

const log = (line: string) => process.stdout.write(`  ${line}\n`);

export async function run(): Promise<BenchFigure[]> {
  if (!(Number.isInteger(ROOMS) && ROOMS > 0 && Number.isInteger(VERIFY_EVENTS))) {
    throw new Error('CAIRN_BENCH_ANCHOR_ROOMS and CAIRN_BENCH_VERIFY_EVENTS must be integers');
  }
  if (VERIFY_EVENTS < 6) throw new Error('CAIRN_BENCH_VERIFY_EVENTS must be at least 6');
  const figures: BenchFigure[] = [];
  figures.push(...(await onDatabase('pglite', undefined)));
  const serverUrl = process.env.CAIRN_TEST_DATABASE_URL;
  if (serverUrl) {
    const databaseUrl = await createScratchDatabase(serverUrl);
    try {
      figures.push(...(await onDatabase('postgres', databaseUrl)));
    } finally {
      await dropScratchDatabase(serverUrl, databaseUrl);
    }
  } else {
    log('PostgreSQL part skipped: CAIRN_TEST_DATABASE_URL is not set');
  }
  figures.push(await verificationSpeed());
  return figures;
}

// ---- (a) epochs of many rooms ----

async function onDatabase(
  backend: 'pglite' | 'postgres',
  databaseUrl: string | undefined,
): Promise<BenchFigure[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-anchoring-'));
  const opened = await openDatabase({ databaseUrl, dataDir });
  try {
    await migrateToLatest(opened.db);
    const ctx = buildTestContext(opened.db, { CAIRN_DATA_DIR: dataDir });
    try {
      const started = performance.now();
      const rooms = await makeRooms(ctx, ROOMS);
      log(`[${backend}] ${ROOMS} rooms created in ${seconds(started)} (setup, not timed)`);
      const figures: BenchFigure[] = [];
      const stores: { label: string; open: () => IpldBlockStore }[] = [
        { label: 'local store', open: () => createLocalBlockStore(join(dataDir, 'blocks')) },
      ];
      if (IPFS_API) stores.push({ label: 'Kubo', open: () => createKuboBlockStore(IPFS_API) });
      else log('Kubo part skipped: CAIRN_BENCH_IPFS_API / CAIRN_TEST_IPFS_API is not set');
      for (const store of stores) {
        const blocks = store.open();
        try {
          figures.push(...(await epochPair(ctx, blocks, rooms, `${store.label}, ${backend}`)));
        } finally {
          await blocks.close?.();
        }
      }
      // The last store's two epochs are still queued: anchor them.
      figures.push(...(await anchorOnChain(ctx, rooms, backend, dataDir)));
      return figures;
    } finally {
      ctx.sync.notifier.close();
    }
  } finally {
    await opened.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Rooms as clients make them (create, join, power levels, join rules, ...: 6 events each). */
async function makeRooms(ctx: Context, count: number): Promise<string[]> {
  const deps = roomDepsOf(ctx);
  const version = getRoomVersion(DEFAULT_ROOM_VERSION)!;
  return inParallel(
    Array.from({ length: count }, (_, i) => i),
    (i) =>
      createRoom(deps, {
        creator: CREATOR,
        version,
        preset: 'private_chat',
        isPublic: false,
        name: `bench room ${i}`,
        invite: [],
        initialState: [],
        isDirect: false,
      }),
  );
}

async function messageEveryRoom(ctx: Context, rooms: readonly string[], body: string) {
  const deps = roomDepsOf(ctx);
  await inParallel(rooms, (roomId) =>
    sendLocalEvent(deps, roomId, {
      type: 'm.room.message',
      sender: CREATOR,
      content: { msgtype: 'm.text', body },
    }),
  );
}

/**
 * From no epochs: epoch 1 (every room's first snapshot), then one message into every room and
 * epoch 2 (every room again, each snapshot linking its epoch-1 one).
 */
async function epochPair(
  ctx: Context,
  blocks: IpldBlockStore,
  rooms: readonly string[],
  label: string,
): Promise<BenchFigure[]> {
  // Each store starts from no epochs, so the runs build the same kind of epoch.
  await ctx.db.deleteFrom('anchor_snapshots').execute();
  await ctx.db.deleteFrom('anchor_epochs').execute();
  // As the server's pass calls it: the archive policy (public rooms archived) is looked up for
  // every room; these rooms are private, so no events are archived.
  const deps: EpochBuildDeps = { ...ctx, blocks, archive: ctx.config };
  const first = await timedEpoch(deps, rooms.length, 1);
  await messageEveryRoom(ctx, rooms, `for epoch 2 on ${label}`);
  const second = await timedEpoch(deps, rooms.length, 2);
  return [
    epochFigure(`build+publish epoch, first snapshots, ${label}`, rooms.length, first),
    epochFigure(`build+publish epoch, linked snapshots, ${label}`, rooms.length, second),
  ];
}

async function timedEpoch(deps: EpochBuildDeps, rooms: number, expected: number): Promise<number> {
  const started = performance.now();
  const built = await buildNextEpoch(deps);
  const ms = performance.now() - started;
  if (built?.epoch !== expected || built.room_count !== rooms) {
    throw new Error(`expected epoch ${expected} of ${rooms} rooms, got ${JSON.stringify(built)}`);
  }
  log(`epoch ${expected}: ${rooms} rooms in ${ms.toFixed(0)} ms`);
  return ms;
}

/** Per room: the table's ops/s is rooms/s; the note gives the epoch's time. */
function epochFigure(name: string, rooms: number, ms: number): BenchFigure {
  return {
    name,
    opsPerSecond: (rooms / ms) * 1000,
    microsecondsPerOp: (ms * 1000) / rooms,
    iterations: rooms,
    note: `${ms.toFixed(0)} ms per epoch of ${rooms} rooms`,
  };
}

/** Anchors the queued epochs on a fresh anvil chain and contract, then a one-room epoch. */
async function anchorOnChain(
  ctx: Context,
  rooms: readonly string[],
  backend: string,
  dataDir: string,
): Promise<BenchFigure[]> {
  const skip = anvilSkipReason();
  if (skip) {
    log(`chain part skipped: ${skip}`);
    return [];
  }
  const chain = await startAnvilChain();
  const provider = new JsonRpcProvider(chain.rpcUrl);
  try {
    const privateKey = chain.privateKeys[0] as string;
    const { address } = await deployAnchorContract({ rpcUrl: chain.rpcUrl, privateKey });
    const settings = { rpcUrl: chain.rpcUrl, privateKey, contract: address, confirmations: 1 };
    const figures: BenchFigure[] = [];
    const anchor = async () => {
      const started = performance.now();
      const count = await anchorQueuedEpochs(ctx, settings);
      const ms = (performance.now() - started) / count;
      const what = count === 1 ? 'one epoch in its pass' : `${count} queued epochs in one pass`;
      const epochs = await ctx.db
        .selectFrom('anchor_epochs')
        .select(['epoch', 'room_count', 'tx_hash'])
        .orderBy('epoch', 'desc')
        .limit(count)
        .execute();
      for (const epoch of epochs.reverse()) {
        const receipt = await provider.getTransactionReceipt(epoch.tx_hash as string);
        const gas = receipt?.gasUsed ?? 0n;
        log(`epoch ${epoch.epoch} (${epoch.room_count} room(s)) anchored: gas ${gas}`);
        figures.push({
          name: `anchor on chain (anvil), epoch ${epoch.epoch} of ${epoch.room_count} room(s), ${backend}`,
          opsPerSecond: 1000 / ms,
          microsecondsPerOp: ms * 1000,
          iterations: count,
          note: `gas ${gas}; ${ms.toFixed(0)} ms per epoch (${what}, confirmations 1)`,
        });
      }
    };
    await anchor();
    // A one-room epoch after them: its gas against the 1,000-room ones.
    await messageEveryRoom(ctx, rooms.slice(0, 1), 'a single room changes');
    const single = await buildNextEpoch({
      ...ctx,
      blocks: createLocalBlockStore(join(dataDir, 'blocks')),
    });
    if (single?.room_count !== 1) throw new Error('expected a one-room epoch');
    await anchor();
    return figures;
  } finally {
    provider.destroy();
    await chain.stop();
  }
}

// ---- (b) verification speed ----

async function verificationSpeed(): Promise<BenchFigure> {
  let started = performance.now();
  const room = buildArchivedRoom(VERIFY_EVENTS);
  log(`${VERIFY_EVENTS} events built, signed and encoded in ${seconds(started)} (not timed)`);
  started = performance.now();
  const result = await verifyRoomHistory({
    roomId: room.roomId,
    anchored: room.anchored,
    getBlock: async (cid) => blockOf(room.anchorBlocks, cid.toString()),
    archive: {
      root: room.root,
      getEventBlock: async (cid) => blockOf(room.eventBlocks, cid.toString()),
      eventBlockCount: room.eventBlocks.size,
    },
  });
  const ms = performance.now() - started;
  if (!result.ok || result.events !== VERIFY_EVENTS || result.snapshots !== 1) {
    throw new Error(`verification did not pass as expected: ${JSON.stringify(result)}`);
  }
  const perSecond = (VERIFY_EVENTS / ms) * 1000;
  log(`verified ${VERIFY_EVENTS} events in ${ms.toFixed(0)} ms`);
  return {
    name: `verifyRoomHistory, room of ${VERIFY_EVENTS} events, 1 anchored epoch`,
    opsPerSecond: perSecond,
    microsecondsPerOp: (ms * 1000) / VERIFY_EVENTS,
    iterations: VERIFY_EVENTS,
    note: `${Math.round(perSecond)} events/s; ${(ms / 1000).toFixed(1)} s in all (one cold run)`,
  };
}

function blockOf(blocks: ReadonlyMap<string, Uint8Array>, cid: string): Uint8Array {
  const bytes = blocks.get(cid);
  if (!bytes) throw new Error(`no block ${cid}`);
  return bytes;
}

/**
 * A room of `events` events in one line (create, the creator's join, power levels, join rules,
 * history visibility, then messages), each signed by the bench's key and stored as its archive
 * block; one epoch anchors the last event as the room's head.
 */
function buildArchivedRoom(events: number) {
  const version = getRoomVersion(DEFAULT_ROOM_VERSION)!;
  const key = toServerSigningKey({
    algorithm: 'ed25519',
    version: 'bench',
    seed: new Uint8Array(32).fill(3),
  });
  const signer = { serverName: 'example.org', keyId: key.keyId, key: key.privateKey };
  const roomId = '!verify-bench:example.org';
  const eventBlocks = new Map<string, Uint8Array>();
  const auth: Record<string, string> = {};
  let prev: { eventId: string; cid: CID } | undefined;
  let depth = 0;
  const add = (type: string, stateKey: string | undefined, content: JsonObject) => {
    depth += 1;
    const authEvents = [auth.create, auth.power, auth.member].filter(
      (id): id is string => id !== undefined,
    );
    const event = buildLocalEvent(
      version,
      { type, stateKey, sender: CREATOR, content },
      {
        roomId,
        prevEvents: prev ? [prev.eventId] : [],
        authEvents: type === 'm.room.create' ? [] : authEvents,
        depth,
        originServerTs: 1_700_000_000_000 + depth,
      },
      signer,
    );
    const block = encodeEventBlock({
      eventId: event.eventId,
      pdu: encodeCanonicalJson(event.pdu),
      prev: prev ? [prev.cid] : [],
    });
    eventBlocks.set(block.cid.toString(), block.bytes);
    prev = { eventId: event.eventId, cid: block.cid };
    return event.eventId;
  };
  auth.create = add('m.room.create', '', { creator: CREATOR, room_version: version.id });
  auth.member = add('m.room.member', CREATOR, { membership: 'join' });
  auth.power = add('m.room.power_levels', '', { users: { [CREATOR]: 100 } });
  add('m.room.join_rules', '', { join_rule: 'invite' });
  add('m.room.history_visibility', '', { history_visibility: 'shared' });
  while (depth < events) add('m.room.message', undefined, { msgtype: 'm.text', body: `#${depth}` });
  const head = prev as { eventId: string; cid: CID };

  const anchorBlocks = new Map<string, Uint8Array>();
  const snapshot = encodeBlock(
    roomSnapshot({
      roomId,
      roomVersion: version.id,
      heads: [{ eventId: head.eventId, depth }],
      streamPosition: depth,
      previous: null,
      epoch: 1,
    }),
  );
  anchorBlocks.set(snapshot.cid.toString(), snapshot.bytes);
  const root = merkleRoot([{ roomId, cid: snapshot.cid.toString() }]);
  const epoch = encodeBlock(
    epochDocument({
      epoch: 1,
      previous: null,
      merkleRoot: root,
      rooms: [{ roomId, snapshot: snapshot.cid }],
      createdAt: 1_700_000_000_000,
    }),
  );
  anchorBlocks.set(epoch.cid.toString(), epoch.bytes);
  return {
    roomId,
    eventBlocks,
    anchorBlocks,
    // Through its block encoding, as verify-room reads it from a CAR file.
    root: decodeArchiveRoot(
      encodeArchiveRoot({ roomId, roomVersion: version.id, heads: [head.cid], missing: [] }).bytes,
    ),
    anchored: [
      {
        epoch: 1,
        merkleRoot: root,
        epochCid: epoch.cid.toString(),
        txHash: `0x${'ab'.repeat(32)}`,
        blockNumber: 1,
      },
    ],
  };
}

// ---- helpers ----

async function inParallel<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
  return results;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
