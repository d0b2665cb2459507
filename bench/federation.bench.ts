// Federation between two Cairn processes (bench/federated-pair.ts): how fast messages sent on
// hs1 reach a user of hs2 (one room, then spread over 100 rooms), and how long a user of hs2
// takes to join a room of 10,000 members on hs1. CAIRN_BENCH_SCALE (default 1) shrinks the
// counts; CAIRN_BENCH_FEDERATION_WORKLOADS=replication or =join runs one workload only (to
// profile one with CAIRN_BENCH_CPU_PROF). `npm run bench -- federation` prints them.
import { performance } from 'node:perf_hooks';
import { createRoom, join, register, send, sync, syncFilter } from './bench-client.ts';
import {
  type BenchAccount,
  type BenchHomeserver,
  type FederatedPair,
  inParallel,
  onEachFederatedPair,
  progress,
  rssBytes,
} from './federated-pair.ts';
import type { BenchFigure } from './harness.ts';

export const name = 'federation';

const SCALE = Number(process.env.CAIRN_BENCH_SCALE ?? '1');
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));
const WORKLOADS = (process.env.CAIRN_BENCH_FEDERATION_WORKLOADS ?? 'replication,join').split(',');
const SENDERS = 20;
const MESSAGES = scaled(2000);
const SPREAD_ROOMS = scaled(100);
const BIG_ROOM_MEMBERS = scaled(10_000);
const SETUP_CONCURRENCY = 20;
/** Sync's cap per room (server/sync/event-filter.ts); more in one answer would be cut off. */
const SYNC_TIMELINE_LIMIT = 1000;
/** A replication that makes no progress for this long has failed. */
const STALL_MS = 120_000;

const enc = encodeURIComponent;

export function run(): Promise<BenchFigure[]> {
  return onEachFederatedPair({ connections: SENDERS + 20 }, async (pair) => {
    const figures: BenchFigure[] = [];
    if (WORKLOADS.includes('replication')) figures.push(...(await replication(pair)));
    if (WORKLOADS.includes('join')) figures.push(...(await bigRoomJoin(pair)));
    return figures;
  });
}

/** Workloads 1 and 2: sends on hs1, counted as they come out of a long-polling /sync on hs2. */
async function replication({ backend, hs1, hs2 }: FederatedPair): Promise<BenchFigure[]> {
  const log = (line: string) => process.stdout.write(`  [${backend}] ${line}\n`);
  const senders = await inParallel(range(SENDERS), SENDERS, (i) => register(hs1, `sender${i}`));
  const reader = await register(hs2, 'reader');
  const shared = await createRoom(hs1, senders[0]!);
  await inParallel(senders.slice(1), SENDERS, (s) => join(hs1, s, shared));
  await join(hs2, reader, shared, hs1.serverName);
  log(`1 room set up: ${SENDERS} senders on hs1, the reader on hs2`);
  const spreadProgress = progress(`[${backend}] ${SPREAD_ROOMS} rooms set up`, SPREAD_ROOMS);
  let roomsDone = 0;
  const spread = await inParallel(range(SPREAD_ROOMS), 5, async (i) => {
    const owner = senders[i % SENDERS]!;
    const room = await createRoom(hs1, owner);
    for (const sender of senders) if (sender !== owner) await join(hs1, sender, room);
    await join(hs2, reader, room, hs1.serverName);
    spreadProgress(++roomsDone);
    return room;
  });

  const figures: BenchFigure[] = [];
  for (const [label, roomFor] of [
    ['1 room', () => shared],
    [`${SPREAD_ROOMS} rooms`, (i: number, n: number) => spread[(i + n) % SPREAD_ROOMS]!],
  ] as const) {
    // One message per sender first, so both servers' routes, queries and connections are warm.
    const warm = await watchMessages(hs2, reader, `warm ${label}`, SENDERS);
    await Promise.all(senders.map((s, i) => send(hs1, s, roomFor(i, 0), `warm ${label} ${i}`)));
    await warm.all;

    const perSender = Math.ceil(MESSAGES / SENDERS);
    const total = perSender * SENDERS;
    const watch = await watchMessages(hs2, reader, `run ${label}`, total);
    const start = performance.now();
    await Promise.all(
      senders.map(async (sender, i) => {
        for (let n = 0; n < perSender; n++) {
          await send(hs1, sender, roomFor(i, n), `run ${label} ${i}.${n}`);
        }
      }),
    );
    const sentMs = performance.now() - start;
    const replicatedMs = (await watch.all) - start;
    log(
      `${label}: ${total} sent in ${sentMs.toFixed(0)} ms, on hs2 after ${replicatedMs.toFixed(0)} ms`,
    );
    const lag = `the last arrived ${(replicatedMs - sentMs).toFixed(0)} ms after the last send returned`;
    figures.push(
      {
        name: `send on hs1, ${SENDERS} concurrent senders into ${label}, hs2 joined (${backend})`,
        opsPerSecond: (total / sentMs) * 1000,
        microsecondsPerOp: (sentMs * 1000) / total,
        iterations: total,
        note: `${total} PUT /send in ${sentMs.toFixed(0)} ms; µs/op is wall time / messages`,
      },
      {
        name: `replicated hs1 -> hs2 /sync, ${label} (${backend})`,
        opsPerSecond: (total / replicatedMs) * 1000,
        microsecondsPerOp: (replicatedMs * 1000) / total,
        iterations: total,
        note: `${total} events, first send to last seen in hs2's /sync: ${replicatedMs.toFixed(0)} ms; ${lag}${scaleNote()}`,
      },
    );
  }
  return figures;
}

/** Workload 3: a room of BIG_ROOM_MEMBERS members on hs1, joined by a user of hs2. */
async function bigRoomJoin(pair: FederatedPair): Promise<BenchFigure[]> {
  const { backend, hs1, hs2 } = pair;
  const built = await buildBigRoom(pair);
  const joined = await timeRemoteJoin(pair, built.room);
  const failures = [built.failure, joined.failure].filter((f) => f !== undefined);
  const failureNote = failures.map((failure) => `; ${failure}`).join('');
  const once = (name: string, ms: number, note: string): BenchFigure => ({
    name: `${name} (${backend})`,
    opsPerSecond: 1000 / ms,
    microsecondsPerOp: ms * 1000,
    iterations: 1,
    note: `${(ms / 1000).toFixed(2)} s; ${note}${scaleNote()}${failureNote}`,
  });
  const figures = [...built.figures];
  const big = `remote join of a ${BIG_ROOM_MEMBERS}-member room`;
  if (joined.timings) {
    const { returnedMs, shownMs, fullSyncMs, size, fullSyncState } = joined.timings;
    figures.push(
      once(`${big}: POST /join returns`, returnedMs, size),
      once(
        `${big}: the room in hs2's /sync`,
        shownMs,
        'from the start of POST /join; a /sync waiting since before, lazy_load_members',
      ),
      once(
        'initial sync on hs2 after the join, full state',
        fullSyncMs,
        `${fullSyncState} state events in the room's answer; timeline limit 10`,
      ),
    );
  } else {
    figures.push({
      name: `${big}: FAILED (${backend})`,
      opsPerSecond: 0,
      microsecondsPerOp: 0,
      iterations: 0,
      note: failureNote.slice(2),
    });
  }
  figures.push(
    memory(`rss of hs1 after the join (${backend})`, rssBytes(hs1.pid)),
    memory(`rss of hs2 after the join (${backend})`, rssBytes(hs2.pid)),
  );
  return figures;
}

/**
 * Registers the members on hs1 and joins them into one new room. A join hs1 fails ends the
 * setup: the remote join is still tried, into the room as it is then, and every figure says so
 * (a failure at some size is a finding in itself).
 */
async function buildBigRoom({ backend, hs1 }: FederatedPair) {
  const owner = await register(hs1, 'bigowner');
  const room = await createRoom(hs1, owner);
  const others = BIG_ROOM_MEMBERS - 1;

  const registering = progress(`[${backend}] registered on hs1`, others);
  let registered = 0;
  const registerStart = performance.now();
  const members = await inParallel(range(others), SETUP_CONCURRENCY, async (i) => {
    const member = await register(hs1, `member${i}`);
    registering(++registered);
    return member;
  });
  const registerMs = performance.now() - registerStart;

  const joining = progress(`[${backend}] joined the big room on hs1`, others);
  let joined = 0;
  let firstError: unknown;
  const joinStart = performance.now();
  await inParallel(members, SETUP_CONCURRENCY, async (member) => {
    if (firstError !== undefined) return;
    try {
      await join(hs1, member, room);
      joining(++joined);
    } catch (err) {
      firstError ??= err;
    }
  });
  const joinsMs = performance.now() - joinStart;
  const failure =
    firstError === undefined
      ? undefined
      : `the room stopped at ${joined + 1} of ${BIG_ROOM_MEMBERS} members: ${message(firstError)}`;
  if (failure !== undefined) process.stdout.write(`  [${backend}] ${failure}\n`);

  const rate = (name: string, count: number, ms: number, note: string): BenchFigure => ({
    name: `${name} (${backend})`,
    opsPerSecond: (count / ms) * 1000,
    microsecondsPerOp: (ms * 1000) / count,
    iterations: count,
    note: `${count} in ${(ms / 1000).toFixed(1)} s, ${SETUP_CONCURRENCY} at a time; ${note}`,
  });
  const figures = [
    rate('setup: POST /register on hs1', others, registerMs, 'dummy auth, no password'),
    rate(
      'setup: local joins into one room on hs1',
      joined,
      joinsMs,
      `the room grows to the end size${failure === undefined ? '' : `; ${failure}`}`,
    ),
  ];
  return { room, figures, failure };
}

/**
 * A user of hs2 joins the room through hs1: the time until POST /join returns, and until a
 * /sync that was waiting since before the join (lazy-loaded members, as Element asks for them)
 * shows the room; then a full-state initial sync of that user.
 */
async function timeRemoteJoin({ backend, hs1, hs2 }: FederatedPair, room: string) {
  const log = (line: string) => process.stdout.write(`  [${backend}] ${line}\n`);
  const joiner = await register(hs2, 'joiner');
  const lazyFilter = syncFilter({ timeline: { limit: 10 }, state: { lazy_load_members: true } });
  const first = await sync(hs2, joiner, lazyFilter);
  log(`remote join of a ${BIG_ROOM_MEMBERS}-member room...`);
  const start = performance.now();
  const startClock = monotonicMicroseconds();
  let joinFailed = false;
  const shown = (async () => {
    let since = first.next_batch as string;
    while (!joinFailed) {
      const next = await sync(hs2, joiner, lazyFilter, since, 30_000);
      const rooms = next.rooms as { join?: Record<string, unknown> } | undefined;
      if (rooms?.join?.[room]) return performance.now() - start;
      since = next.next_batch as string;
    }
    return undefined;
  })();
  try {
    await join(hs2, joiner, room, hs1.serverName);
  } catch (err) {
    joinFailed = true;
    const failure = `the remote join failed after ${((performance.now() - start) / 1000).toFixed(1)} s: ${message(err)}`;
    log(failure);
    // The waiting /sync ends within its timeout; a failure of it is of no interest now.
    await shown.catch(() => undefined);
    return { failure };
  }
  const returnedMs = performance.now() - start;
  const shownMs = (await shown)!;
  log(`join returned after ${returnedMs.toFixed(0)} ms, in /sync after ${shownMs.toFixed(0)} ms`);
  if (process.env.CAIRN_BENCH_CPU_PROF) {
    log(`cpu profile window of the join: ${startClock}-${monotonicMicroseconds()}`);
  }

  const path = `/_matrix/client/v3/rooms/${enc(room)}`;
  const state = (await hs2.call('GET', `${path}/state`, joiner.token)) as unknown as unknown[];
  const members = (await hs2.call('GET', `${path}/joined_members`, joiner.token)).joined;
  const fullStart = performance.now();
  const full = await sync(hs2, joiner, syncFilter({ timeline: { limit: 10 } }));
  const fullSyncMs = performance.now() - fullStart;
  const rooms = (full.rooms as { join: Record<string, { state: { events: unknown[] } }> }).join;
  return {
    timings: {
      returnedMs,
      shownMs,
      fullSyncMs,
      fullSyncState: rooms[room]?.state.events.length,
      size: `${Object.keys(members as object).length} joined members on hs2, ${state.length} state events`,
    },
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface MessageWatch {
  /** Resolves with the performance.now() at which the last expected message was seen. */
  readonly all: Promise<number>;
}

/**
 * Counts the m.room.message events whose body starts with `prefix` as they come out of the
 * reader's long-polling /sync (all rooms, nothing else asked for), from now on.
 */
async function watchMessages(
  hs: BenchHomeserver,
  reader: BenchAccount,
  prefix: string,
  expected: number,
): Promise<MessageWatch> {
  const filter = syncFilter({
    timeline: { limit: SYNC_TIMELINE_LIMIT, types: ['m.room.message'] },
    state: { types: [] },
    ephemeral: { types: [] },
    account_data: { types: [] },
  });
  let since = (await sync(hs, reader, syncFilter({ timeline: { limit: 0 } }))).next_batch as string;
  const seen = new Set<string>();
  const all = (async () => {
    let progressAt = performance.now();
    while (seen.size < expected) {
      if (performance.now() - progressAt > STALL_MS) {
        throw new Error(`${hs.serverName}: ${seen.size}/${expected} "${prefix}" messages, stalled`);
      }
      const next = await sync(hs, reader, filter, since, 30_000);
      since = next.next_batch as string;
      const rooms = (next.rooms as { join?: Record<string, SyncRoom> } | undefined)?.join ?? {};
      for (const [roomId, room] of Object.entries(rooms)) {
        if (room.timeline?.limited) {
          throw new Error(`${roomId}: a limited timeline, some messages would go uncounted`);
        }
        for (const event of room.timeline?.events ?? []) {
          if (event.type === 'm.room.message' && String(event.content?.body).startsWith(prefix)) {
            if (!seen.has(event.event_id)) progressAt = performance.now();
            seen.add(event.event_id);
          }
        }
      }
    }
    return performance.now();
  })();
  // Unobserved until awaited: a failure must not become an unhandled rejection meanwhile.
  all.catch(() => {});
  return { all };
}

interface SyncRoom {
  timeline?: {
    limited?: boolean;
    events?: { type: string; event_id: string; content?: { body?: unknown } }[];
  };
}

function memory(name: string, bytes: number | undefined): BenchFigure {
  return {
    name,
    opsPerSecond: 0,
    microsecondsPerOp: 0,
    iterations: 1,
    note:
      bytes === undefined ? 'unknown (no /proc)' : `${(bytes / 1024 / 1024).toFixed(1)} MB VmRSS`,
  };
}

function scaleNote(): string {
  return SCALE === 1 ? '' : `; CAIRN_BENCH_SCALE=${SCALE}`;
}

/** The clock of V8's CPU profiles, for bench/cpuprofile-top.ts's window. */
function monotonicMicroseconds(): bigint {
  return process.hrtime.bigint() / 1000n;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
