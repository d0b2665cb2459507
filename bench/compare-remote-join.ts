// Workload (4) of bench/compare.ts: a user of one server joins, over federation, a room of another
// server that has MEMBERS members (local users of the host) and STATE_EVENTS more state events
// (custom ones with distinct state keys, sent by the room's creator). Timed: from POST /join to
// its answer, and to the joiner's GET /joined_members listing every member (the full state is
// usable; a server answering the join before it has the whole state shows here). The fixture is
// built through the host's client API, and its build time is reported too.
import { performance } from 'node:perf_hooks';
import type { FederatedServer } from './compare-federation.ts';
import { type Account, createRoom, register, registerMany } from './compare-workloads.ts';
import { inParallel, progress } from './federated-pair.ts';
import { processCpuSeconds, processMemory, resetPeakRss } from './process-stats.ts';

const MEMBERS = 10_000;
const STATE_EVENTS = 50_000;
/** Requests in flight while building (CAIRN_BENCH_ROOM_CONCURRENCY): all into one room, so the
 * server orders them anyway and a few keep it from waiting on the client. More fork the room's
 * DAG on Synapse (concurrent sends each take the same prev_events), which then slows its own
 * sends (state resolution at every fork: 3 state events/s at 2,000 with 32 in flight). */
const SETUP_CONCURRENCY = Number(process.env.CAIRN_BENCH_ROOM_CONCURRENCY ?? 4);
/** A join still not usable after this long has failed. */
const USABLE_TIMEOUT_MS = 30 * 60_000;
const POLL_MS = 250;

export interface BigRoomFixture {
  readonly host: string;
  readonly members: number;
  readonly stateEvents: number;
  readonly registerMs: number;
  readonly joinsMs: number;
  readonly stateMs: number;
  readonly totalMs: number;
  /** Events in the host's own GET /state once built: every PUT answered 200 should be there. */
  readonly hostStateEvents: number;
}

export interface RemoteJoinFigure {
  readonly joiner: string;
  readonly host: string;
  /** Joined members on the host just before the join, plus the joiner. */
  readonly expectedMembers: number;
  readonly joinAnsweredMs: number;
  /** Until the joiner's /joined_members lists expectedMembers. */
  readonly membersUsableMs: number;
  /** State events in the joiner's GET /state afterwards, and in the host's before plus the
   * joiner's member event (see stateAtJoin for why these may differ). */
  readonly stateEvents: number;
  readonly expectedStateEvents: number;
  /** The state after the joiner's member event as each side serves it (/context/{join} with
   * limit 0), and how many of the two sides' event ids the other lacks. The join fixes this state
   * whatever the host's DAG, so these must agree; the current states need not: a host with more
   * forward extremities than the join cites (Synapse's make_join cites at most 10, and 32 sends
   * in flight leave hundreds) also resolves the others into its own. */
  readonly stateAtJoin?: {
    readonly joiner: number;
    readonly host: number;
    readonly differing: number;
  };
  readonly joinerCpuSeconds?: number;
  readonly hostCpuSeconds?: number;
  /** VmHWM of the joining server through the join (since its start if it could not be reset). */
  readonly joinerPeakRssBytes?: number;
}

export const bigRoomSize = (scale: number) => ({
  bigRoomMembers: Math.max(2, Math.round(MEMBERS * scale)),
  bigRoomStateEvents: Math.max(1, Math.round(STATE_EVENTS * scale)),
});

const enc = encodeURIComponent;
/** Per fixture room, an account in it on each server that holds it (the owner, then joiners). */
const readers = new Map<string, Map<string, Account>>();

export async function buildBigRoom(
  host: FederatedServer,
  scale: number,
  log: (line: string) => void,
): Promise<{ roomId: string; figure: BigRoomFixture }> {
  const { bigRoomMembers, bigRoomStateEvents } = bigRoomSize(scale);
  log(
    `(4) fixture on ${host.label}: ${bigRoomMembers} members, ${bigRoomStateEvents} state events`,
  );
  const start = performance.now();
  const owner = await register(host.call, host.target, 'bigowner');
  const roomId = await createRoom(host.call, owner);
  readers.set(roomId, new Map([[host.label, owner]]));
  const members = await registerMany(
    host.call,
    host.target,
    'big',
    bigRoomMembers - 1,
    SETUP_CONCURRENCY,
  );
  const registerMs = performance.now() - start;

  const joinsStart = performance.now();
  const joined = progress(`${host.label} joins`, members.length);
  let joins = 0;
  await inParallel(members, SETUP_CONCURRENCY, async (member) => {
    await host.call('POST', `/_matrix/client/v3/join/${enc(roomId)}`, member.token, {});
    joined(++joins);
  });
  const joinsMs = performance.now() - joinsStart;

  const stateStart = performance.now();
  const sent = progress(`${host.label} state events`, bigRoomStateEvents);
  let states = 0;
  const keys = Array.from({ length: bigRoomStateEvents }, (_, i) => `key-${i}`);
  await inParallel(keys, SETUP_CONCURRENCY, async (key) => {
    await host.call(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/state/org.cairn.bench.filler/${key}`,
      owner.token,
      { key },
    );
    sent(++states);
  });
  const stateMs = performance.now() - stateStart;
  const hostState = (await host.call(
    'GET',
    `/_matrix/client/v3/rooms/${enc(roomId)}/state`,
    owner.token,
  )) as unknown as unknown[];
  const figure: BigRoomFixture = {
    host: host.label,
    members: bigRoomMembers,
    stateEvents: bigRoomStateEvents,
    registerMs,
    joinsMs,
    stateMs,
    totalMs: performance.now() - start,
    hostStateEvents: hostState.length,
  };
  log(
    `(4) fixture on ${host.label} built in ${s(figure.totalMs)}: registrations ${s(registerMs)}, ` +
      `joins ${s(joinsMs)} (${rate(members.length, joinsMs)}/s), ` +
      `state ${s(stateMs)} (${rate(bigRoomStateEvents, stateMs)}/s); ${hostState.length} state events`,
  );
  return { roomId, figure };
}

export async function timeRemoteJoin(
  joiner: FederatedServer,
  host: FederatedServer,
  roomId: string,
  log: (line: string) => void,
): Promise<RemoteJoinFigure> {
  const owner = readers.get(roomId)?.get(host.label);
  if (!owner) throw new Error(`no account of ${host.label} in ${roomId}`);
  const membersPath = `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`;
  const countOf = (answer: Record<string, unknown>) =>
    Object.keys((answer.joined as object | undefined) ?? {}).length;
  const expectedMembers = countOf(await host.call('GET', membersPath, owner.token)) + 1;
  const statePath = `/_matrix/client/v3/rooms/${enc(roomId)}/state`;
  const expectedStateEvents =
    ((await host.call('GET', statePath, owner.token)) as unknown as unknown[]).length + 1;
  const user = await register(joiner.call, joiner.target, 'bigjoiner');

  const peakIsJoinOnly = resetPeakRss(joiner.target.pid);
  const joinerCpu = processCpuSeconds(joiner.target.pid);
  const hostCpu = processCpuSeconds(host.target.pid);
  log(`(4) ${joiner.label} joins ${host.label}'s room (${expectedMembers - 1} members)...`);
  const start = performance.now();
  await joiner.call(
    'POST',
    `/_matrix/client/v3/join/${enc(roomId)}?server_name=${enc(host.serverName)}`,
    user.token,
    {},
  );
  const joinAnsweredMs = performance.now() - start;
  log(`(4) ${joiner.label} <- ${host.label}: join answered after ${s(joinAnsweredMs)}`);

  let seen = 0;
  let lastError = '';
  for (;;) {
    if (performance.now() - start > USABLE_TIMEOUT_MS) {
      throw new Error(
        `${joiner.label}: /joined_members still lists ${seen}/${expectedMembers} after ${s(USABLE_TIMEOUT_MS)} ${lastError}`,
      );
    }
    try {
      seen = countOf(await joiner.call('GET', membersPath, user.token));
      if (seen >= expectedMembers) break;
    } catch (err) {
      // A server that answered the join before holding the state may refuse for a while.
      lastError = (err as Error).message.slice(0, 300);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const membersUsableMs = performance.now() - start;
  const cpuSince = (pid: number, before: number | undefined) => {
    const after = processCpuSeconds(pid);
    return before === undefined || after === undefined ? undefined : after - before;
  };
  const joinerCpuSeconds = cpuSince(joiner.target.pid, joinerCpu);
  const hostCpuSeconds = cpuSince(host.target.pid, hostCpu);
  const joinerPeakRssBytes = processMemory(joiner.target.pid)?.hwm;
  readers.get(roomId)?.set(joiner.label, user);
  const state = (await joiner.call('GET', statePath, user.token)) as unknown as StateEvent[];
  const stateAtJoin = await compareStateAtJoin(joiner, host, roomId, state, user, owner);
  const atJoin = stateAtJoin
    ? `${stateAtJoin.joiner} joiner, ${stateAtJoin.host} host, ${stateAtJoin.differing} differing`
    : 'unknown';
  log(
    `(4) ${joiner.label} <- ${host.label}: ${seen} members listed after ${s(membersUsableMs)}, ` +
      `${state.length} state events (host: ${expectedStateEvents}; after the join: ${atJoin}); ` +
      `cpu ${joinerCpuSeconds?.toFixed(1)} s joiner, ` +
      `${hostCpuSeconds?.toFixed(1)} s host; joiner peak ` +
      `${((joinerPeakRssBytes ?? 0) / 1024 / 1024).toFixed(0)} MB${peakIsJoinOnly ? '' : ' (since start)'}`,
  );
  return {
    joiner: joiner.label,
    host: host.label,
    expectedMembers,
    joinAnsweredMs,
    membersUsableMs,
    stateEvents: state.length,
    expectedStateEvents,
    ...(stateAtJoin ? { stateAtJoin } : {}),
    joinerCpuSeconds,
    hostCpuSeconds,
    joinerPeakRssBytes,
  };
}

interface StateEvent {
  readonly event_id: string;
  readonly type: string;
  readonly state_key: string;
}

/** The state after the joiner's member event on both sides; undefined when either will not say. */
async function compareStateAtJoin(
  joiner: FederatedServer,
  host: FederatedServer,
  roomId: string,
  joinerState: readonly StateEvent[],
  user: Account,
  owner: Account,
): Promise<RemoteJoinFigure['stateAtJoin']> {
  const join = joinerState.find((e) => e.type === 'm.room.member' && e.state_key === user.userId);
  if (!join) return undefined;
  const path = `/_matrix/client/v3/rooms/${enc(roomId)}/context/${enc(join.event_id)}?limit=0`;
  try {
    const ids = async (server: FederatedServer, token: string) =>
      new Set(
        (((await server.call('GET', path, token)).state ?? []) as StateEvent[]).map(
          (e) => e.event_id,
        ),
      );
    const [onJoiner, onHost] = [await ids(joiner, user.token), await ids(host, owner.token)];
    const differing =
      [...onJoiner].filter((id) => !onHost.has(id)).length +
      [...onHost].filter((id) => !onJoiner.has(id)).length;
    return { joiner: onJoiner.size, host: onHost.size, differing };
  } catch {
    return undefined;
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (count: number, ms: number) => ((count / ms) * 1000).toFixed(0);
