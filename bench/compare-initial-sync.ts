// Workload (3) of bench/compare.ts: the initial /sync of a user in ROOMS rooms of MEMBERS members
// each (300 x 300 at scale 1), with every member's state and with lazy-loaded members, on each
// server. The fixture is built through the client API, the same requests for every server:
// MEMBERS users, each creating one room and joining all the others, ROOMS x (MEMBERS - 1) joins.
// The joins go user by user over all the rooms, JOIN_CONCURRENCY at a time, so the requests in
// flight are in different rooms: a server may join in parallel what the rules let it.
import { performance } from 'node:perf_hooks';
import { type Agent, fetch } from 'undici';
import type { CompareTarget } from './compare-servers.ts';
import {
  type Account,
  type Call,
  type CpuReading,
  cpuMeter,
  createRoom,
  registerMany,
} from './compare-workloads.ts';
import { inParallel, progress } from './federated-pair.ts';

const ROOMS = 300;
const MEMBERS = 300;
const JOIN_CONCURRENCY = 32;
/** Initial syncs per filter, each by a different member (Synapse keeps a finished /sync answer
 * for a while for an identical request: one user, device and filter; a new user never hits it). */
const ROUNDS = 3;
const TIMELINE_LIMIT = 10;

export interface InitialSyncMeasure {
  readonly filter: string;
  /** The whole answer received, from the start of the request; median over the rounds. */
  readonly medianMs: number;
  readonly firstMs: number;
  readonly bytes: number;
  readonly joinedRooms: number;
  readonly stateEvents: number;
  /** Server (+ cluster) CPU seconds per initial sync. */
  readonly cpuPerSync: CpuReading;
}

export interface InitialSyncFigure {
  readonly rooms: number;
  readonly members: number;
  readonly joins: number;
  readonly setupMs: number;
  readonly joinsPerSecond: number;
  readonly full: InitialSyncMeasure;
  readonly lazy: InitialSyncMeasure;
}

export const initialSyncSize = (scale: number) => ({
  rooms: Math.max(2, Math.round(ROOMS * scale)),
  members: Math.max(2, Math.round(MEMBERS * scale)),
});

export async function initialSync(
  target: CompareTarget,
  call: Call,
  agent: Agent,
  scale: number,
  postmasterPid: number,
  log: (line: string) => void,
): Promise<InitialSyncFigure> {
  const { rooms, members } = initialSyncSize(scale);
  const setupStart = performance.now();
  const users = await registerMany(call, target, 'isync', members, JOIN_CONCURRENCY);
  const created = progress('create rooms', rooms);
  let createdCount = 0;
  const roomIds = await inParallel(range(rooms), JOIN_CONCURRENCY, async (r) => {
    const room = await createRoom(call, users[r % members]!);
    created(++createdCount);
    return room;
  });
  const joinsStart = performance.now();
  const pairs = users.flatMap((user, u) =>
    roomIds.flatMap((room, r) => (r % members === u ? [] : [{ user, room }])),
  );
  const joined = progress('joins', pairs.length);
  let joinCount = 0;
  await inParallel(pairs, JOIN_CONCURRENCY, async ({ user, room }) => {
    await call('POST', `/_matrix/client/v3/join/${encodeURIComponent(room)}`, user.token, {});
    joined(++joinCount);
  });
  const joinsMs = performance.now() - joinsStart;
  const setupMs = performance.now() - setupStart;
  log(
    `${target.name}:   fixture: ${pairs.length} joins in ${(joinsMs / 1000).toFixed(0)} s ` +
      `(${((pairs.length / joinsMs) * 1000).toFixed(0)}/s), setup ${(setupMs / 1000).toFixed(0)} s`,
  );

  const measure = async (label: string, room: object, firstUser: number) => {
    const filter = JSON.stringify({ room });
    const times: number[] = [];
    let last: { bytes: number; joinedRooms: number; stateEvents: number } | undefined;
    const cpu = cpuMeter(target, postmasterPid);
    for (let k = 0; k < ROUNDS; k++) {
      const user = users[(firstUser + k) % users.length]!;
      const start = performance.now();
      const answer = await rawSync(target, agent, user, filter);
      times.push(performance.now() - start);
      last = answer;
      if (answer.joinedRooms !== rooms) {
        throw new Error(`${target.name}: initial sync shows ${answer.joinedRooms}/${rooms} rooms`);
      }
    }
    const used = cpu();
    const sorted = times.toSorted((a, b) => a - b);
    const figure: InitialSyncMeasure = {
      filter,
      medianMs: sorted[Math.floor(sorted.length / 2)]!,
      firstMs: times[0]!,
      ...last!,
      cpuPerSync: { server: used.server / ROUNDS, withDatabase: used.withDatabase / ROUNDS },
    };
    log(
      `${target.name}:   ${label}: median ${figure.medianMs.toFixed(0)} ms (first ${figure.firstMs.toFixed(0)} ms), ` +
        `${(figure.bytes / 1024 / 1024).toFixed(1)} MB, ${figure.stateEvents} state events`,
    );
    return figure;
  };
  const timeline = { limit: TIMELINE_LIMIT };
  const full = await measure('full state', { timeline }, 0);
  const lazy = await measure(
    'lazy-loaded members',
    { timeline, state: { lazy_load_members: true } },
    ROUNDS,
  );
  return {
    rooms,
    members,
    joins: pairs.length,
    setupMs,
    joinsPerSecond: (pairs.length / joinsMs) * 1000,
    full,
    lazy,
  };
}

/** An initial /sync, timed until the last byte of the answer (which is then counted). */
async function rawSync(target: CompareTarget, agent: Agent, user: Account, filter: string) {
  const response = await fetch(
    `${target.clientUrl}/_matrix/client/v3/sync?filter=${encodeURIComponent(filter)}`,
    { headers: { authorization: `Bearer ${user.token}` }, dispatcher: agent },
  );
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${target.name} initial sync: ${response.status} ${text.slice(0, 500)}`);
  }
  const bytes = Buffer.byteLength(text);
  const body = JSON.parse(text) as {
    rooms?: { join?: Record<string, { state?: { events?: unknown[] } }> };
  };
  const joinedRooms = Object.values(body.rooms?.join ?? {});
  return {
    bytes,
    joinedRooms: joinedRooms.length,
    stateEvents: joinedRooms.reduce((sum, room) => sum + (room.state?.events?.length ?? 0), 0),
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
