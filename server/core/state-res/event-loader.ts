// Brings the events state resolution needs from an async store into memory, in batches, so the
// algorithm itself can stay synchronous and tight. It also feeds the auth chain index with the
// auth edges of every event it sees.

import type { AuthChainIndex } from '../dag/auth-chain.ts';
import { authEventIds } from '../dag/auth-events.ts';
import type { RoomVersion } from '../room-versions.ts';
import type { StateResStore, StoredEvent } from './types.ts';

/** Large enough to keep round trips few, small enough for a database's parameter limits. */
const BATCH_SIZE = 5000;

export class EventLoader {
  readonly version: RoomVersion;
  readonly index: AuthChainIndex;
  readonly #store: StateResStore;
  readonly #events = new Map<string, StoredEvent>();
  /** Ids the store did not have: asked once, then treated as absent. */
  readonly #missing = new Set<string>();

  constructor(version: RoomVersion, store: StateResStore, index: AuthChainIndex) {
    this.version = version;
    this.#store = store;
    this.index = index;
  }

  get(eventId: string): StoredEvent | undefined {
    return this.#events.get(eventId);
  }

  /** Fetches those of `eventIds` not in memory yet. */
  async load(eventIds: Iterable<string>): Promise<void> {
    const wanted: string[] = [];
    for (const id of new Set(eventIds)) {
      if (!this.#events.has(id) && !this.#missing.has(id)) wanted.push(id);
    }
    const batches: Promise<void>[] = [];
    for (let at = 0; at < wanted.length; at += BATCH_SIZE) {
      batches.push(this.#fetch(wanted.slice(at, at + BATCH_SIZE)));
    }
    await Promise.all(batches);
  }

  /**
   * Makes sure the index knows the auth edges of `eventIds` and of their whole auth chains.
   * Events the index already knows cost nothing, so with a warm index this does no I/O.
   */
  async indexAuthClosure(eventIds: Iterable<string>): Promise<void> {
    let frontier = this.#unindexed(eventIds);
    if (frontier.length > 0 && this.#store.getAuthChainIds !== undefined) {
      const chain = await this.#store.getAuthChainIds(frontier);
      frontier = this.#unindexed([...frontier, ...chain]);
    }
    // One round trip per auth-DAG layer still unknown; with getAuthChainIds usually just one.
    while (frontier.length > 0) {
      await this.load(frontier);
      const next = new Set<string>();
      for (const id of frontier) {
        const event = this.#events.get(id);
        if (event === undefined) continue;
        for (const authId of authEventIds(this.version, event.pdu)) {
          if (!this.index.has(authId) && !this.#missing.has(authId)) next.add(authId);
        }
      }
      frontier = [...next];
    }
  }

  #unindexed(eventIds: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const id of eventIds) if (!this.index.has(id) && !this.#missing.has(id)) out.add(id);
    return [...out];
  }

  async #fetch(eventIds: string[]): Promise<void> {
    const found = await this.#store.getEvents(eventIds);
    for (const id of eventIds) {
      const event = found.get(id);
      if (event === undefined || event.eventId !== id) {
        this.#missing.add(id);
        continue;
      }
      this.#events.set(id, event);
      this.index.addEvent(this.version, event);
    }
  }
}
