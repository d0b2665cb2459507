// The auth DAG of a room as an index: event ids are interned to small integers and each event's
// auth edges kept as an Int32Array, so walks over tens of thousands of events touch typed arrays
// instead of string-keyed maps, and an event's edges are fetched and parsed once per room rather
// than at every resolution. A server keeps one index per room and passes it to each resolution.
//
// Chains are answered by walks, not memoised per event: a room whose power levels changed k times
// has chains of length ~k for every later event, so per-event memos cost O(events × k) memory
// (quadratic for a long linear history), while a walk of a union of chains visits each event of
// the union once whatever the overlap. Walks are iterative: auth chains are deeper than the stack.

import type { EventWithId } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';
import { authEventIds, isCreateEvent, isPowerLevelsEvent } from './auth-events.ts';

/** What the graph algorithms need to know of an event besides its edges. */
export const IS_POWER_LEVELS = 1;
export const IS_CREATE = 2;

const NO_EDGES = new Int32Array(0);

export class AuthChainIndex {
  readonly #ids: string[] = [];
  readonly #numbers = new Map<string, number>();
  /** Auth edges per event; undefined for an event referenced but not added yet. */
  readonly #auth: (Int32Array | undefined)[] = [];
  readonly #flags: number[] = [];
  /** Visit stamps reused across walks (a walk owns the stamp `#epoch`), to avoid an allocation per walk. */
  #stamps = new Uint32Array(1024);
  #epoch = 0;

  /** Number of events known, added or only referenced. */
  get size(): number {
    return this.#ids.length;
  }

  /** Records an event's auth events. Idempotent: an event's edges never change. */
  add(eventId: string, authEventIds: readonly string[], flags = 0): void {
    const n = this.#intern(eventId);
    if (this.#auth[n] !== undefined) return;
    const unique = [...new Set(authEventIds)].filter((id) => id !== eventId);
    this.#auth[n] = Int32Array.from(unique, (id) => this.#intern(id));
    this.#flags[n] = flags;
  }

  addEvent(version: RoomVersion, event: EventWithId): void {
    const flags =
      (isPowerLevelsEvent(event.pdu) ? IS_POWER_LEVELS : 0) |
      (isCreateEvent(event.pdu) ? IS_CREATE : 0);
    this.add(event.eventId, authEventIds(version, event.pdu), flags);
  }

  has(eventId: string): boolean {
    const n = this.#numbers.get(eventId);
    return n !== undefined && this.#auth[n] !== undefined;
  }

  authEventsOf(eventId: string): string[] | undefined {
    const n = this.#numbers.get(eventId);
    const edges = n === undefined ? undefined : this.#auth[n];
    return edges === undefined ? undefined : Array.from(edges, (m) => this.#ids[m]!);
  }

  isPowerLevels(eventId: string): boolean {
    const n = this.#numbers.get(eventId);
    return n !== undefined && (this.#flags[n]! & IS_POWER_LEVELS) !== 0;
  }

  /** The `m.room.power_levels` event among an event's auth events, as mainlines follow it. */
  powerLevelsAuthEvent(eventId: string): string | undefined {
    const n = this.#numbers.get(eventId);
    if (n === undefined) return undefined;
    for (const m of this.#auth[n] ?? NO_EDGES) {
      if ((this.#flags[m]! & IS_POWER_LEVELS) !== 0) return this.#ids[m];
    }
    return undefined;
  }

  /** The full auth chain of one event, not including itself. */
  authChain(eventId: string): string[] {
    const n = this.#numbers.get(eventId);
    if (n === undefined) return [];
    const out: string[] = [];
    this.walkAncestors([n], (m) => {
      out.push(this.#ids[m]!);
    });
    return out;
  }

  /** The union of the auth chains of `eventIds` (each event itself only if another cites it). */
  authChainOf(eventIds: Iterable<string>): Set<string> {
    const out = new Set<string>();
    this.walkAncestors(this.toNumbers(eventIds), (m) => {
      out.add(this.#ids[m]!);
    });
    return out;
  }

  // The numeric view below is for the graph algorithms in this directory.

  toNumbers(eventIds: Iterable<string>): number[] {
    const out: number[] = [];
    for (const id of eventIds) {
      const n = this.#numbers.get(id);
      if (n !== undefined) out.push(n);
    }
    return out;
  }

  idOf(n: number): string {
    return this.#ids[n]!;
  }

  edgesOf(n: number): Int32Array {
    return this.#auth[n] ?? NO_EDGES;
  }

  /**
   * Visits every strict ancestor of `seeds` once (a seed too if another seed reaches it). With
   * `stop`, an event for which it returns true is neither visited nor walked through. Not
   * reentrant: `visit` and `stop` must not start another walk on this index.
   */
  walkAncestors(
    seeds: readonly number[],
    visit: (n: number) => void,
    stop?: (n: number) => boolean,
  ): void {
    const epoch = this.#nextEpoch();
    const stamps = this.#stamps;
    const stack: number[] = [];
    for (const seed of seeds) for (const m of this.edgesOf(seed)) stack.push(m);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (stamps[n] === epoch) continue;
      stamps[n] = epoch;
      if (stop?.(n)) continue;
      visit(n);
      const edges = this.#auth[n];
      if (edges === undefined) continue;
      for (let i = 0; i < edges.length; i++) {
        const m = edges[i]!;
        if (stamps[m] !== epoch) stack.push(m);
      }
    }
  }

  #nextEpoch(): number {
    if (this.#stamps.length < this.#ids.length) {
      this.#stamps = new Uint32Array(Math.max(this.#ids.length, this.#stamps.length * 2));
      this.#epoch = 0;
    }
    if (this.#epoch === 0xffffffff) {
      this.#stamps.fill(0);
      this.#epoch = 0;
    }
    return ++this.#epoch;
  }

  #intern(eventId: string): number {
    let n = this.#numbers.get(eventId);
    if (n === undefined) {
      n = this.#ids.length;
      this.#ids.push(eventId);
      this.#numbers.set(eventId, n);
      this.#auth.push(undefined);
      this.#flags.push(0);
    }
    return n;
  }
}
