// State resolution and auth chains at the sizes of a big public room: two forks of a room with
// 10,000 state events disagreeing on 1,000 entries, and the auth DAG of a room of 100,000 events.
// Events are built as plain PDUs (no signatures: nothing here checks them) so building the room
// is cheap and the timings are of the algorithm. `node bench/state-res.bench.ts` prints them.

import { performance } from 'node:perf_hooks';
import { AuthChainIndex } from '../server/core/dag/auth-chain.ts';
import { authDifference } from '../server/core/dag/auth-difference.ts';
import type { EventWithId, JsonObject, Pdu } from '../server/core/pdu.ts';
import { getRoomVersion, type RoomVersion } from '../server/core/room-versions.ts';
import { type StateMap, stateKey } from '../server/core/state-map.ts';
import { authCheckFor } from '../server/core/state-res/auth-check.ts';
import { resolveState } from '../server/core/state-res/resolve-state.ts';
import type { StateResStore } from '../server/core/state-res/types.ts';
import type { BenchFigure } from './harness.ts';

export const name = 'state-res';

const ALICE = '@alice:example.org';
const user = (i: number) => `@user${i}:example.org`;

/** A room grown event by event, its current state kept as one map (not a copy per event). */
class SyntheticRoom {
  readonly version: RoomVersion;
  readonly events = new Map<string, EventWithId>();
  readonly state: StateMap = new Map();
  roomId = '';
  #seq = 0;
  #head = '';

  constructor(versionId: string) {
    this.version = getRoomVersion(versionId)!;
  }

  /** Appends an event citing the spec's auth events from `state` (default: the room's). */
  send(
    sender: string,
    type: string,
    key: string | undefined,
    content: JsonObject,
    state = this.state,
  ) {
    const seq = ++this.#seq;
    const eventId = `$${String(seq).padStart(8, '0')}${'x'.repeat(35)}`;
    const auth = [stateKey('m.room.power_levels', ''), stateKey('m.room.member', sender)];
    if (!this.version.roomIdFromCreateEvent) auth.push(stateKey('m.room.create', ''));
    if (type === 'm.room.member' && key !== undefined) {
      auth.push(stateKey('m.room.member', key), stateKey('m.room.join_rules', ''));
    }
    const authEvents = [...new Set(auth.map((k) => state.get(k)).filter((id) => id !== undefined))];
    const pdu = {
      type,
      sender,
      content,
      origin_server_ts: 1_700_000_000_000 + seq,
      depth: seq,
      prev_events: this.#head ? [this.#head] : [],
      auth_events: type === 'm.room.create' ? [] : authEvents,
      hashes: {},
      signatures: {},
      ...(type === 'm.room.create' && this.version.roomIdFromCreateEvent
        ? {}
        : { room_id: this.roomId }),
      ...(key === undefined ? {} : { state_key: key }),
    } as Pdu;
    if (type === 'm.room.create') this.roomId = `!${eventId.slice(1)}`;
    const event = { eventId, pdu };
    this.events.set(eventId, event);
    this.#head = eventId;
    if (key !== undefined && state === this.state) state.set(stateKey(type, key), eventId);
    return event;
  }

  /** Create, join, power levels, public join rules: the usual opening. */
  open(): void {
    this.send(ALICE, 'm.room.create', '', { room_version: this.version.id });
    this.send(ALICE, 'm.room.member', ALICE, { membership: 'join' });
    this.powerLevels(0);
    this.send(ALICE, 'm.room.join_rules', '', { join_rule: 'public' });
  }

  powerLevels(round: number, state = this.state) {
    // v12 creators cannot be listed; before v12 Alice keeps her 100.
    const users: JsonObject = this.version.privilegedCreators ? {} : { [ALICE]: 100 };
    users[user(round)] = 50;
    return this.send(ALICE, 'm.room.power_levels', '', { users }, state);
  }
}

const store = (room: SyntheticRoom): StateResStore => ({
  getEvents: async (ids) => {
    const found = new Map<string, EventWithId>();
    for (const id of ids) {
      const event = room.events.get(id);
      if (event) found.set(id, event);
    }
    return found;
  },
});

/** 10,000 state events, then two forks changing 500 entries each (1,000 conflicted). */
function forkedRoom(versionId: string) {
  const room = new SyntheticRoom(versionId);
  room.open();
  for (let i = 0; i < 9_996; i++) {
    room.send(user(i), 'm.room.member', user(i), { membership: 'join' });
    // Power levels change now and then, so chains have the depth of a long-lived room.
    if (i % 250 === 249) room.powerLevels(i);
  }
  const fork = (from: number, changes: number, last: (state: StateMap) => EventWithId) => {
    const state = new Map(room.state);
    for (let i = from; i < from + changes - 1; i++) {
      const content = { membership: 'join', displayname: `u${i}` };
      const event = room.send(user(i), 'm.room.member', user(i), content, state);
      state.set(stateKey('m.room.member', user(i)), event.eventId);
    }
    const event = last(state);
    state.set(stateKey(event.pdu.type, event.pdu.state_key!), event.eventId);
    return state;
  };
  const stateA = fork(0, 500, (state) => room.powerLevels(1, state));
  const stateB = fork(5_000, 500, (state) =>
    room.send(ALICE, 'm.room.topic', '', { topic: 'forked' }, state),
  );
  return { room, stateA, stateB };
}

/** 100,000 events: 10,000 state events and 90,000 messages, as the auth DAG sees them. */
function bigRoom(): SyntheticRoom {
  const room = new SyntheticRoom('11');
  room.open();
  for (let i = 0; i < 10_000; i++) {
    room.send(user(i), 'm.room.member', user(i), { membership: 'join' });
    if (i % 100 === 99) room.powerLevels(i);
    for (let m = 0; m < 9; m++)
      room.send(user((i * 7 + m) % (i + 1)), 'm.room.message', undefined, { body: 'hi' });
  }
  return room;
}

async function time(
  label: string,
  fn: () => unknown,
  minMs = 1000,
  note?: string,
): Promise<BenchFigure> {
  await fn(); // warm-up
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || iterations < 3) {
    await fn();
    iterations++;
    elapsed = performance.now() - start;
  }
  return {
    name: label,
    opsPerSecond: (iterations / elapsed) * 1000,
    microsecondsPerOp: (elapsed * 1000) / iterations,
    iterations,
    ...(note === undefined ? {} : { note }),
  };
}

export async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const versionId of ['11', '12']) {
    const { room, stateA, stateB } = forkedRoom(versionId);
    const check = authCheckFor(room.version);
    const conflicted = [...stateA].filter(([k, v]) => stateB.get(k) !== v).length + 1;
    const note = `${stateA.size} state events, ${conflicted} conflicted`;
    const warm = new AuthChainIndex();
    await resolveState(room.version, [stateA, stateB], store(room), check, { index: warm });
    figures.push(
      await time(
        `resolve 2 forks, v${versionId}, cold index`,
        () => resolveState(room.version, [stateA, stateB], store(room), check),
        1000,
        note,
      ),
      await time(
        `resolve 2 forks, v${versionId}, warm index`,
        () => resolveState(room.version, [stateA, stateB], store(room), check, { index: warm }),
        1000,
        note,
      ),
    );
  }

  const room = bigRoom();
  const events = [...room.events.values()];
  const note = `${events.length} events`;
  const index = new AuthChainIndex();
  for (const event of events) index.addEvent(room.version, event);
  const stateIds = [...room.state.values()];
  const half = stateIds.slice(0, stateIds.length / 2);
  figures.push(
    await time(
      'index the auth DAG of a 100k-event room',
      () => {
        const fresh = new AuthChainIndex();
        for (const event of events) fresh.addEvent(room.version, event);
      },
      1000,
      note,
    ),
    await time(
      'auth chain of the current state (10k events)',
      () => index.authChainOf(stateIds),
      1000,
      note,
    ),
    await time(
      'auth chains of all 100k events, one by one',
      () => {
        let total = 0;
        for (const event of events) total += index.authChain(event.eventId).length;
        return total;
      },
      1000,
      note,
    ),
    await time(
      'auth difference, current state vs half of it',
      () => authDifference(index, [stateIds, half]),
      1000,
      note,
    ),
  );
  return figures;
}

if (import.meta.main) {
  for (const f of await run()) {
    const ms = (f.microsecondsPerOp / 1000).toFixed(2).padStart(10);
    process.stdout.write(`${ms} ms  ${f.name}${f.note ? `  (${f.note})` : ''}\n`);
  }
}
