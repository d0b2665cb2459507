// State resolution scenarios as small DAGs: name the events, draw the prev_events edges as chains
// (`['END', 'MB', 'PA', 'START']` means END follows MB, MB follows PA, ...), and read the state at
// any node. Nodes are processed parents first, smallest name first, and get increasing
// origin_server_ts in that order; at a node with several prev_events the states after them are
// resolved, with the real auth rules, in every order of the forks (a differing result throws).
// Events are built without auth checks: a scenario is a set of facts, rejected events included.
// Auth events are the spec's selection from the resolved state before each event.
//
// The standard room starts like Synapse's state tests: Alice creates the room, sets power levels
// (herself 100) and public join rules; Bob, Charlie and Zara join; then Zara's message START.

import { selectAuthEvents } from '../../auth-rules/select-auth-events.ts';
import { lookupFromStateMap } from '../../auth-rules/state-lookup.ts';
import { AuthChainIndex } from '../../dag/auth-chain.ts';
import { lexicographicTopologicalSort } from '../../dag/topological-order.ts';
import type { EventWithId, JsonObject } from '../../pdu.ts';
import { type StateKey, type StateMap, stateKey } from '../../state-map.ts';
import { RoomBuilder } from '../../testing/room-builder.ts';
import { authCheckFor } from '../auth-check.ts';
import { resolveState } from '../resolve-state.ts';
import type { AuthCheck } from '../types.ts';
import { memoryStore } from './memory-store.ts';

export const ALICE = '@alice:example.com';
export const BOB = '@bob:example.com';
export const CHARLIE = '@charlie:example.com';
export const EVELYN = '@evelyn:example.com';
export const ZARA = '@zara:example.com';

export interface NodeSpec {
  readonly sender: string;
  readonly type: string;
  readonly stateKey?: string;
  readonly content: JsonObject;
}

export const member = (sender: string, target: string, membership: string): NodeSpec => ({
  sender,
  type: 'm.room.member',
  stateKey: target,
  content: { membership },
});
export const join = (user: string): NodeSpec => member(user, user, 'join');
export const powerLevels = (
  sender: string,
  users: Record<string, number>,
  extra: JsonObject = {},
) =>
  ({ sender, type: 'm.room.power_levels', stateKey: '', content: { users, ...extra } }) as NodeSpec;
export const topic = (sender: string, text = ''): NodeSpec => ({
  sender,
  type: 'm.room.topic',
  stateKey: '',
  content: { topic: text },
});
export const joinRules = (sender: string, joinRule: string): NodeSpec => ({
  sender,
  type: 'm.room.join_rules',
  stateKey: '',
  content: { join_rule: joinRule },
});
export const message = (sender: string): NodeSpec => ({
  sender,
  type: 'm.room.message',
  content: { body: '' },
});

/** The event id a scenario node gets. */
export const idOf = (name: string): string => `$${name}:example.com`;
const nameOf = (id: string): string => id.slice(1, id.indexOf(':'));

export class ScenarioDag {
  readonly room: RoomBuilder;
  readonly authCheck: AuthCheck;
  readonly index = new AuthChainIndex();
  readonly #specs = new Map<string, NodeSpec>();
  readonly #prevs = new Map<string, string[]>();
  readonly #stateAfter = new Map<string, StateMap>();

  constructor(versionId: string) {
    this.room = new RoomBuilder(versionId);
    this.authCheck = authCheckFor(this.room.version);
  }

  /** The standard opening, ending with Zara's message START. */
  static standard(versionId: string): ScenarioDag {
    return new ScenarioDag(versionId)
      .node('CREATE', { sender: ALICE, type: 'm.room.create', stateKey: '', content: {} })
      .node('IMA', join(ALICE))
      .node('IPOWER', powerLevels(ALICE, { [ALICE]: 100 }))
      .node('IJR', joinRules(ALICE, 'public'))
      .node('IMB', join(BOB))
      .node('IMC', join(CHARLIE))
      .node('IMZ', join(ZARA))
      .node('START', message(ZARA))
      .node('END', message(ZARA))
      .edges(['START', 'IMZ', 'IMC', 'IMB', 'IJR', 'IPOWER', 'IMA', 'CREATE']);
  }

  node(name: string, spec: NodeSpec): this {
    this.#specs.set(name, spec);
    this.#prevs.set(name, []);
    return this;
  }

  /** Each chain lists nodes newest first; every node gets the next one as a prev_event. */
  edges(...chains: string[][]): this {
    for (const chain of chains) {
      for (let i = 0; i + 1 < chain.length; i++) {
        const prevs = this.#prevs.get(chain[i]!);
        if (prevs === undefined) throw new Error(`no node ${chain[i]}`);
        if (!prevs.includes(chain[i + 1]!)) prevs.push(chain[i + 1]!);
      }
    }
    return this;
  }

  /** Builds every event and computes the state after each. */
  async run(): Promise<this> {
    const order = lexicographicTopologicalSort(
      this.#specs.keys(),
      (name) => this.#prevs.get(name)!,
      (a, b) => a < b,
    );
    if (order.length !== this.#specs.size) throw new Error('the prev_events edges have a cycle');
    let ts = 0;
    for (const name of order) {
      const prevs = this.#prevs.get(name)!;
      const before = await this.#resolveEveryOrder(prevs.map((p) => this.#stateAfter.get(p)!));
      const event = this.#build(name, this.#specs.get(name)!, prevs, before, ++ts);
      const after = new Map(before);
      if (event.pdu.state_key !== undefined) {
        after.set(stateKey(event.pdu.type, event.pdu.state_key), event.eventId);
      }
      this.#stateAfter.set(name, after);
    }
    return this;
  }

  /** The state after a node, as state key -> node name. */
  stateAfter(name: string): Map<StateKey, string> {
    const state = this.#stateAfter.get(name);
    if (state === undefined) throw new Error(`no state after ${name}: run() first`);
    return new Map([...state].map(([key, id]) => [key, nameOf(id)]));
  }

  /**
   * The comparison of Synapse's tests: the entries of the state at `at` that differ from the
   * state at `since` or that have the key of an expected node, as names.
   */
  changes(expected: readonly string[], at = 'END', since = 'START'): Map<StateKey, string> {
    const end = this.stateAfter(at);
    const start = this.stateAfter(since);
    const expectedKeys = new Set(expected.map((name) => this.keyOf(name)));
    return new Map(
      [...end].filter(([key, name]) => expectedKeys.has(key) || start.get(key) !== name),
    );
  }

  /** The state map a list of expected node names stands for. */
  expectedState(names: readonly string[]): Map<StateKey, string> {
    return new Map(names.map((name) => [this.keyOf(name), name]));
  }

  keyOf(name: string): StateKey {
    const spec = this.#specs.get(name);
    if (spec?.stateKey === undefined) throw new Error(`${name} is not a state event`);
    return stateKey(spec.type, spec.stateKey);
  }

  async #resolveEveryOrder(states: StateMap[]): Promise<StateMap> {
    if (states.length === 0) return new Map();
    if (states.length === 1) return new Map(states[0]);
    const store = memoryStore(this.room.events);
    const version = this.room.version;
    const results: StateMap[] = [];
    for (const order of rotationsAndReversals(states)) {
      // A fresh index each time too, so a cached index cannot hide an order dependence.
      const index = results.length === 0 ? this.index : new AuthChainIndex();
      results.push(await resolveState(version, order, store, this.authCheck, { index }));
    }
    const [first, ...rest] = results;
    for (const other of rest) {
      if (!sameState(first!, other))
        throw new Error('resolution depends on the order of the forks');
    }
    return first!;
  }

  #build(name: string, spec: NodeSpec, prevs: string[], before: StateMap, ts: number): EventWithId {
    const room = this.room;
    const id = idOf(name);
    if (spec.type === 'm.room.create') return room.create(spec.sender, spec.content, { id, ts });
    const content = adaptContent(room, spec);
    const auth = selectAuthEvents(
      room.version,
      { type: spec.type, stateKey: spec.stateKey, sender: spec.sender, content },
      lookupFromStateMap(before, room.fetch),
    );
    return room.add(
      room.draft(spec.sender, spec.type, spec.stateKey, content, {
        id,
        ts,
        prev: prevs.map(idOf),
        auth,
      }),
    );
  }
}

/**
 * Room version 12 forbids listing creators in `users` (they are infinitely powerful anyway), so
 * the same scenario facts are kept by dropping them there.
 */
function adaptContent(room: RoomBuilder, spec: NodeSpec): JsonObject {
  const users = spec.content.users;
  if (!room.version.privilegedCreators || spec.type !== 'm.room.power_levels') return spec.content;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) return spec.content;
  const creator = room.events.get(idOf('CREATE'))?.pdu.sender;
  const kept = Object.fromEntries(Object.entries(users).filter(([user]) => user !== creator));
  return { ...spec.content, users: kept };
}

/** The state sets in each rotation, forwards and backwards: every order for two or three forks. */
export function rotationsAndReversals<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i++) {
    const rotated = [...items.slice(i), ...items.slice(0, i)];
    out.push(rotated, [...rotated].reverse());
  }
  return out;
}

export function sameState(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([key, id]) => b.get(key) === id);
}
