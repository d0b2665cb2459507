// The workloads of bench/compare.ts, as plain HTTP requests over one undici agent, the same code
// for every server: (1) message send throughput of concurrent senders into one room and into many
// rooms, (2) send-to-sync delivery latency with many clients long-polling /sync. Each phase is
// charged the CPU the server process (and, for a server on PostgreSQL, the whole cluster) spent.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Agent, fetch } from 'undici';
import { clusterCpuSeconds } from './compare-postgres.ts';
import type { CompareTarget } from './compare-servers.ts';
import { inParallel, progress } from './federated-pair.ts';
import { processCpuSeconds } from './process-stats.ts';

export interface Sizes {
  readonly senders: number;
  readonly rooms: number;
  readonly messages: number;
  readonly syncClients: number;
  readonly syncRounds: number;
}

export interface Account {
  readonly userId: string;
  readonly token: string;
}

export type Call = (
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
) => Promise<Record<string, unknown>>;

export interface CpuReading {
  readonly server: number;
  /** Server plus cluster; equal to `server` for a server on PGlite. */
  readonly withDatabase: number;
}

export interface SendFigure {
  readonly layout: string;
  readonly messages: number;
  readonly wallMs: number;
  readonly messagesPerSecond: number;
  /** CPU seconds per 1,000 messages sent. */
  readonly cpuPer1000: CpuReading;
}

export interface SyncFigure {
  readonly clients: number;
  readonly rounds: number;
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU seconds per 1,000 messages delivered to a waiting /sync. */
  readonly cpuPer1000: CpuReading;
}

const enc = encodeURIComponent;
export const PARALLEL_SETUP = 10;

export function httpCall(target: CompareTarget, agent: Agent): Call {
  return async (method, path, token, body) => {
    const response = await fetch(`${target.clientUrl}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      dispatcher: agent,
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) {
      throw new Error(
        `${target.name} ${method} ${path}: ${response.status} ${JSON.stringify(json)}`,
      );
    }
    return json;
  };
}

/** CPU spent by what serves `target` from now until the returned function is called. */
export function cpuMeter(target: CompareTarget, postmasterPid: number): () => CpuReading {
  const read = () => {
    const server = processCpuSeconds(target.pid) ?? Number.NaN;
    const cluster = target.onCluster ? clusterCpuSeconds(postmasterPid) : 0;
    return { server, withDatabase: server + cluster };
  };
  const before = read();
  return () => {
    const after = read();
    return {
      server: after.server - before.server,
      withDatabase: after.withDatabase - before.withDatabase,
    };
  };
}

export const per1000 = (cpu: CpuReading, count: number): CpuReading => ({
  server: (cpu.server / count) * 1000,
  withDatabase: (cpu.withDatabase / count) * 1000,
});

export async function register(
  call: Call,
  target: CompareTarget,
  localpart: string,
): Promise<Account> {
  const registered = await call('POST', '/_matrix/client/v3/register', null, {
    username: `${localpart}_${randomBytes(3).toString('hex')}`,
    auth: { type: 'm.login.dummy' },
    initial_device_display_name: 'bench',
    ...(target.registersWithPassword ? { password: randomBytes(12).toString('hex') } : {}),
  });
  return { userId: registered.user_id as string, token: registered.access_token as string };
}

export async function registerMany(
  call: Call,
  target: CompareTarget,
  prefix: string,
  count: number,
  concurrency = PARALLEL_SETUP,
) {
  const report = progress(`register ${prefix} users`, count);
  let done = 0;
  return inParallel(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const account = await register(call, target, `${prefix}${i}`);
      report(++done);
      return account;
    },
  );
}

export async function createRoom(call: Call, creator: Account): Promise<string> {
  const created = await call('POST', '/_matrix/client/v3/createRoom', creator.token, {
    preset: 'public_chat',
  });
  return created.room_id as string;
}

async function joinAll(call: Call, accounts: readonly Account[], roomId: string): Promise<void> {
  const report = progress('join', accounts.length);
  let done = 0;
  await inParallel(accounts, PARALLEL_SETUP, async (account) => {
    await call('POST', `/_matrix/client/v3/join/${enc(roomId)}`, account.token, {});
    report(++done);
  });
}

let txn = 0;
export async function send(
  call: Call,
  sender: Account,
  roomId: string,
  body: string,
): Promise<void> {
  await call(
    'PUT',
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/b${process.pid}t${txn++}`,
    sender.token,
    { msgtype: 'm.text', body },
  );
}

/** (1): `senders` clients send `messages` in all, each waiting for its previous send's answer. */
export async function sendThroughput(
  target: CompareTarget,
  call: Call,
  sizes: Sizes,
  postmasterPid: number,
): Promise<SendFigure[]> {
  const senders = await registerMany(call, target, 'sender', sizes.senders);
  const shared = await createRoom(call, senders[0]!);
  await joinAll(call, senders.slice(1), shared);
  // Room r belongs to sender r mod senders, who alone sends there: no joins to set up, and in
  // this layout two senders never contend for one room.
  const roomReport = progress('create rooms', sizes.rooms);
  let created = 0;
  const own = await inParallel(
    Array.from({ length: sizes.rooms }, (_, r) => r),
    PARALLEL_SETUP,
    async (r) => {
      const room = await createRoom(call, senders[r % sizes.senders]!);
      roomReport(++created);
      return room;
    },
  );
  const roomsOf = senders.map((_, i) => own.filter((_, r) => r % sizes.senders === i));

  const figures: SendFigure[] = [];
  for (const [layout, roomFor] of [
    ['1 room', () => shared],
    [`${sizes.rooms} rooms`, (i: number, n: number) => roomsOf[i]![n % roomsOf[i]!.length]!],
  ] as const) {
    // One send each first, so routes, caches and connections are warm.
    await Promise.all(senders.map((s, i) => send(call, s, roomFor(i, 0), 'warm-up')));
    const perSender = Math.ceil(sizes.messages / sizes.senders);
    const total = perSender * sizes.senders;
    const report = progress(`send into ${layout}`, total);
    let done = 0;
    const cpu = cpuMeter(target, postmasterPid);
    const start = performance.now();
    await Promise.all(
      senders.map(async (sender, i) => {
        for (let n = 0; n < perSender; n++) {
          await send(call, sender, roomFor(i, n), `${layout} ${n}`);
          report(++done);
        }
      }),
    );
    const wallMs = performance.now() - start;
    figures.push({
      layout,
      messages: total,
      wallMs,
      messagesPerSecond: (total / wallMs) * 1000,
      cpuPer1000: per1000(cpu(), total),
    });
  }
  return figures;
}

/** (2): `syncClients` members of one room long-poll /sync; another member sends, round by round,
 * and the time from the start of the PUT to each client's answer holding the message is kept. */
export async function syncLatency(
  target: CompareTarget,
  call: Call,
  sizes: Sizes,
  postmasterPid: number,
): Promise<SyncFigure> {
  const [speaker] = await registerMany(call, target, 'speaker', 1);
  const room = await createRoom(call, speaker!);
  const clients = await registerMany(call, target, 'syncer', sizes.syncClients);
  await joinAll(call, clients, room);
  // What clients commonly ask for: no presence or account data, members loaded lazily.
  const filter = enc(
    JSON.stringify({
      room: { timeline: { limit: 10 }, state: { lazy_load_members: true } },
      presence: { types: [] },
      account_data: { types: [] },
    }),
  );
  const syncPath = (since: string | undefined, timeout: number) =>
    `/_matrix/client/v3/sync?filter=${filter}&timeout=${timeout}` +
    (since === undefined ? '' : `&since=${enc(since)}`);
  const initialReport = progress('initial syncs', clients.length);
  let synced = 0;
  const tokens = await inParallel(clients, PARALLEL_SETUP, async (client) => {
    // Twice: the second answer catches up on the joins that came after the first.
    const first = await call('GET', syncPath(undefined, 0), client.token);
    const second = await call('GET', syncPath(first.next_batch as string, 0), client.token);
    initialReport(++synced);
    return second.next_batch as string;
  });

  const holds = (sync: Record<string, unknown>, marker: string) => {
    const joined = (sync.rooms as { join?: Record<string, { timeline?: { events?: unknown[] } }> })
      ?.join?.[room];
    return (joined?.timeline?.events ?? []).some(
      (event) => (event as { content?: { body?: unknown } }).content?.body === marker,
    );
  };
  // Long enough for every client's request to be parked on the server before the send.
  const settleMs = Math.max(300, clients.length * 3);
  const latencies: number[] = [];
  const report = progress('sync rounds', sizes.syncRounds);
  const cpu = cpuMeter(target, postmasterPid);
  for (let round = 0; round < sizes.syncRounds; round++) {
    const marker = `round ${round} ${randomBytes(4).toString('hex')}`;
    let sentAt = Number.NaN;
    const answers = clients.map(async (client, i) => {
      for (;;) {
        const sync = await call('GET', syncPath(tokens[i], 30_000), client.token);
        tokens[i] = sync.next_batch as string;
        if (holds(sync, marker)) return performance.now() - sentAt;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    sentAt = performance.now();
    await send(call, speaker!, room, marker);
    latencies.push(...(await Promise.all(answers)));
    report(round + 1);
  }
  const deliveries = latencies.length;
  const sorted = latencies.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    clients: clients.length,
    rounds: sizes.syncRounds,
    deliveries,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.at(-1)!,
    cpuPer1000: per1000(cpu(), deliveries),
  };
}
