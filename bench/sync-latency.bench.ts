// How fast a message reaches long-polling /sync requests: members of a room (1, then 100) wait on
// GET /sync (over HTTP, the client app listening on 127.0.0.1), another member sends a message,
// and each waiting request's answer is timed. Two figures per backend: from the moment the event
// is announced by the persist pipeline (the notifier's part: wake, build, serialise, HTTP) and from
// the start of the PUT that sends it (everything a user sees). PGlite always; PostgreSQL when
// CAIRN_TEST_DATABASE_URL is set. `npm run bench -- sync-latency` prints them.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { createAccessToken } from '../server/storage/access-tokens.ts';
import { createDevice } from '../server/storage/devices.ts';
import type { Database } from '../server/storage/schema.ts';
import { createUser } from '../server/storage/users.ts';
import { type BenchServer, onEachDatabase } from './each-database.ts';
import type { BenchFigure } from './harness.ts';

export const name = 'sync-latency';

const WAITERS = 100;
const ROUNDS = 30;

interface Account {
  readonly userId: string;
  readonly token: string;
}

export function run(): Promise<BenchFigure[]> {
  return onEachDatabase({ connections: WAITERS + 10 }, onBackend);
}

async function onBackend({ backend, ctx, call }: BenchServer): Promise<BenchFigure[]> {
  const sender = await account(ctx.db, 'sender');
  const waiters = await Promise.all(
    Array.from({ length: WAITERS }, (_, i) => account(ctx.db, `waiter${i}`)),
  );
  const created = await call('POST', '/_matrix/client/v3/createRoom', sender.token, {
    preset: 'public_chat',
  });
  const room = encodeURIComponent(created.room_id as string);
  for (const waiter of waiters) {
    await call('POST', `/_matrix/client/v3/rooms/${room}/join`, waiter.token, {});
  }
  const tokens = await Promise.all(
    waiters.map(
      async (w) => (await call('GET', '/_matrix/client/v3/sync', w.token)).next_batch as string,
    ),
  );

  let announcedAt = 0;
  ctx.roomEvents.subscribe(() => {
    announcedAt = performance.now();
  });
  const figures: BenchFigure[] = [];
  let round = 0;
  // One waiter shows the path itself; a hundred, what a busy room costs.
  for (const count of [1, WAITERS]) {
    // Every token caught up first, so each waiter really waits.
    await Promise.all(
      waiters.map(async (waiter, i) => {
        const sync = await call('GET', `/_matrix/client/v3/sync?since=${tokens[i]}`, waiter.token);
        tokens[i] = sync.next_batch as string;
      }),
    );
    const fromAnnounce: number[] = [];
    const fromSend: number[] = [];
    for (let n = 0; n < ROUNDS; n++, round++) {
      const answers = waiters.slice(0, count).map(async (waiter, i) => {
        const sync = await call(
          'GET',
          `/_matrix/client/v3/sync?timeout=30000&since=${tokens[i]}`,
          waiter.token,
        );
        const at = performance.now();
        tokens[i] = sync.next_batch as string;
        return at;
      });
      const deadline = performance.now() + 30_000;
      while (ctx.sync.notifier.waiting < count) {
        if (performance.now() > deadline) throw new Error('the syncs never started waiting');
        await new Promise((r) => setTimeout(r, 2));
      }
      const sentAt = performance.now();
      await call(
        'PUT',
        `/_matrix/client/v3/rooms/${room}/send/m.room.message/r${round}`,
        sender.token,
        { msgtype: 'm.text', body: `round ${round}` },
      );
      for (const at of await Promise.all(answers)) {
        fromAnnounce.push(at - announcedAt);
        fromSend.push(at - sentAt);
      }
    }
    const note = `${count} waiting sync${count === 1 ? '' : 's'}, ${ROUNDS} messages`;
    figures.push(
      ...latencyFigures(
        `announce -> sync answer, ${count} waiting (${backend})`,
        fromAnnounce,
        note,
      ),
      ...latencyFigures(`PUT send -> sync answer, ${count} waiting (${backend})`, fromSend, note),
    );
  }
  return figures;
}

async function account(db: Kysely<Database>, localpart: string): Promise<Account> {
  const userId = `@${localpart}:example.org`;
  const now = Date.now();
  await createUser(db, { userId, localpart, passwordHash: null, now });
  await createDevice(db, { userId, deviceId: 'BENCH', now });
  const token = randomBytes(16).toString('hex');
  await createAccessToken(db, { token, userId, deviceId: 'BENCH', now });
  return { userId, token };
}

function latencyFigures(label: string, samples: number[], note: string): BenchFigure[] {
  const sorted = samples.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return [
    ['p50', at(0.5)],
    ['p99', at(0.99)],
  ].map(([quantile, ms]) => ({
    name: `${label} ${quantile}`,
    opsPerSecond: 1000 / (ms as number),
    microsecondsPerOp: (ms as number) * 1000,
    iterations: samples.length,
    note: `${note}; latency ${(ms as number).toFixed(2)} ms`,
  }));
}
