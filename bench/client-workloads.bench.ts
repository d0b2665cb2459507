import { performance } from 'node:perf_hooks';
import { registerLocalUser } from '../server/accounts/register-local-user.ts';
import type { Context } from '../server/context.ts';
import { type BenchCall, type BenchServer, onEachDatabase } from './each-database.ts';
import type { BenchFigure } from './harness.ts';

export const name = 'client-workloads';

// The issue's sizes: sends by N concurrent clients into 1 room and into 100 rooms; initial sync
// of a user in 300 rooms. CAIRN_BENCH_SCALE (default 1) shrinks the counts for a quick look.
const SCALE = Number(process.env.CAIRN_BENCH_SCALE ?? '1');
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));
const SENDERS = 20;
const MESSAGES = scaled(1000);
const SPREAD_ROOMS = scaled(100);
const SYNC_ROOMS = scaled(300);
const SYNC_MEMBERS = 10;
const MESSAGES_PER_SYNC_ROOM = 5;
const SYNC_ROUNDS = 5;
const RSS_SAMPLE_MS = 50;

interface Account {
  readonly userId: string;
  readonly token: string;
}

export function run(): Promise<BenchFigure[]> {
  return onEachDatabase({ connections: SENDERS + 10 }, onBackend);
}

async function onBackend({ backend, ctx, call }: BenchServer): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];

  // Setup: senders, one room they all share and SPREAD_ROOMS rooms they are all in; the sync
  // user's SYNC_ROOMS rooms of SYNC_MEMBERS members.
  const senders: Account[] = [];
  for (let i = 0; i < SENDERS; i++) senders.push(await account(ctx, `sender${i}`));
  const shared = await createRoom(call, senders[0]!);
  for (const sender of senders.slice(1)) await joinRoom(call, sender, shared);
  const spread = await inParallel(
    Array.from({ length: SPREAD_ROOMS }, (_, i) => i),
    10,
    async (i) => {
      const room = await createRoom(call, senders[i % SENDERS]!);
      for (const sender of senders) {
        if (sender !== senders[i % SENDERS]) await joinRoom(call, sender, room);
      }
      return room;
    },
  );

  const members: Account[] = [];
  for (let i = 0; i < SYNC_MEMBERS; i++) members.push(await account(ctx, `member${i}`));
  const [owner, reader] = [members[0]!, members[1]!];
  const syncRooms = await inParallel(
    Array.from({ length: SYNC_ROOMS }, (_, i) => i),
    10,
    async (i) => {
      const room = await createRoom(call, owner);
      for (const member of members.slice(1)) await joinRoom(call, member, room);
      for (let m = 0; m < MESSAGES_PER_SYNC_ROOM; m++) {
        await send(call, owner, room, `setup-${i}-${m}`);
      }
      return room;
    },
  );
  if (syncRooms.length !== SYNC_ROOMS) throw new Error('sync rooms missing');

  const rssAfterSetup = process.memoryUsage().rss;
  let peakRss = rssAfterSetup;
  let rssSamples = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    rssSamples++;
  }, RSS_SAMPLE_MS);
  try {
    // 1. Send throughput.
    // Message n of every sender goes to room (sender + n) mod SPREAD_ROOMS, so the senders'
    // messages are spread over all the rooms and two senders rarely hit one room at once.
    for (const [label, roomFor] of [
      ['1 room', () => shared],
      [`${SPREAD_ROOMS} rooms`, (i: number, n: number) => spread[(i + n) % SPREAD_ROOMS]!],
    ] as const) {
      // A few sends first, so the route and its queries are warm.
      await Promise.all(senders.map((s, i) => send(call, s, roomFor(i, 0), `warm ${label}`)));
      const perSender = Math.ceil(MESSAGES / SENDERS);
      const total = perSender * SENDERS;
      const start = performance.now();
      await Promise.all(
        senders.map(async (sender, i) => {
          for (let n = 0; n < perSender; n++) {
            await send(call, sender, roomFor(i, n), `${label} ${n}`);
          }
        }),
      );
      const elapsedMs = performance.now() - start;
      figures.push({
        name: `send, ${SENDERS} concurrent senders into ${label} (${backend})`,
        opsPerSecond: (total / elapsedMs) * 1000,
        microsecondsPerOp: (elapsedMs * 1000) / total,
        iterations: total,
        note: `${total} PUT /send in ${elapsedMs.toFixed(0)} ms; µs/op is wall time / messages`,
      });
    }

    // 2. Initial sync.
    // Both with a 5-event timeline of the owner's messages, so a lazy-loading client needs
    // only the owner's and its own member events.
    const filter = (state: object) =>
      `?filter=${encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 5 }, state } }))}`;
    for (const [label, query] of [
      ['full', filter({})],
      ['lazy_load_members', filter({ lazy_load_members: true })],
    ] as const) {
      const times: number[] = [];
      let joined = 0;
      let stateEvents = 0;
      for (let n = 0; n < SYNC_ROUNDS; n++) {
        const start = performance.now();
        const sync = await call('GET', `/_matrix/client/v3/sync${query}`, reader.token);
        times.push(performance.now() - start);
        const rooms = (sync.rooms as { join?: Record<string, { state?: { events?: unknown[] } }> })
          .join;
        joined = Object.keys(rooms ?? {}).length;
        stateEvents = Object.values(rooms ?? {}).reduce(
          (sum, room) => sum + (room.state?.events?.length ?? 0),
          0,
        );
      }
      const sorted = times.toSorted((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      figures.push({
        name: `initial sync, ${label}, ${SYNC_ROOMS} rooms x ${SYNC_MEMBERS} members (${backend})`,
        opsPerSecond: 1000 / median,
        microsecondsPerOp: median * 1000,
        iterations: SYNC_ROUNDS,
        note:
          `median of ${SYNC_ROUNDS}: ${median.toFixed(1)} ms (first ${times[0]!.toFixed(1)} ms); ` +
          `${joined} joined rooms, ${stateEvents} state events; ` +
          `timeline limit 5${SCALE === 1 ? '' : `; CAIRN_BENCH_SCALE=${SCALE}`}`,
      });
    }
  } finally {
    clearInterval(sampler);
  }

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const where = backend === 'pglite' ? 'PGlite runs in-process' : 'PostgreSQL is out of process';
  figures.push(
    {
      name: `rss after setup (${backend})`,
      opsPerSecond: 0,
      microsecondsPerOp: 0,
      iterations: 1,
      note: `${mb(rssAfterSetup)}; whole bench process (${where}, earlier backends' leftovers included)`,
    },
    {
      name: `rss peak during send + sync (${backend})`,
      opsPerSecond: 0,
      microsecondsPerOp: 0,
      iterations: rssSamples,
      note: `${mb(peakRss)}; sampled every ${RSS_SAMPLE_MS} ms (${rssSamples} samples)`,
    },
  );

  return figures;
}

async function account(ctx: Context, localpart: string): Promise<Account> {
  const registered = await registerLocalUser(
    { db: ctx.db, serverName: ctx.config.serverName, now: ctx.now },
    { localpart, password: null, admin: false, login: { deviceId: 'BENCH' } },
  );
  return { userId: registered.userId, token: registered.accessToken! };
}

async function createRoom(call: BenchCall, creator: Account): Promise<string> {
  const created = await call('POST', '/_matrix/client/v3/createRoom', creator.token, {
    preset: 'public_chat',
  });
  return created.room_id as string;
}

async function joinRoom(call: BenchCall, user: Account, roomId: string): Promise<void> {
  await call('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/join`, user.token, {});
}

let txn = 0;

async function send(call: BenchCall, user: Account, roomId: string, body: string): Promise<void> {
  await call(
    'PUT',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b${txn++}`,
    user.token,
    { msgtype: 'm.text', body },
  );
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping the order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}
