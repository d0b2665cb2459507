// What one batch of received PDUs (one room's share of a transaction, under the room's lock)
// reads again and again: the state groups their prev_events and the room's forward extremities
// point at (a fork of messages shares one group; Synapse cites up to ten prev_events, so one
// event read the same group ten times and, over a hundred extremities, a hundred more), and the
// events the auth rules read (the same create, power levels and members for every message).
// A state group never changes once written, so its map is safe to share. A stored event can
// change (an outlier becomes a timeline event, perhaps rejected); receive-pdu forgets each event it
// persists, and the cache lives for one batch only: the room's lock keeps other writers out.

import type { Kysely } from 'kysely';
import type { ReadonlyStateMap } from '../../server/core/state-map.ts';
import { getEvents, type StoredEvent } from '../../server/storage/events.ts';
import type { Database } from '../../server/storage/schema.ts';
import { readStateGroup } from '../../server/storage/state-groups.ts';

export class ReceiveCache {
  readonly #db: Kysely<Database>;
  readonly #groups = new Map<number, Promise<ReadonlyStateMap>>();
  readonly #events = new Map<string, StoredEvent>();

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The state of a stored group; the map is shared, never to be changed. */
  readonly readGroup = (group: number): Promise<ReadonlyStateMap> => {
    let read = this.#groups.get(group);
    if (read === undefined) {
      read = readStateGroup(this.#db, group);
      this.#groups.set(group, read);
      // A failed read is not kept: the next caller asks the database again.
      read.catch(() => {
        if (this.#groups.get(group) === read) this.#groups.delete(group);
      });
    }
    return read;
  };

  /** A group just written (by the persist step), with its state, so it is not read back. */
  rememberGroup(group: number, state: ReadonlyStateMap): void {
    this.#groups.set(group, Promise.resolve(state));
  }

  /** Stored events by id, as getEvents gives them; ids not stored are left out (not cached). */
  async getEvents(ids: readonly string[]): Promise<Map<string, StoredEvent>> {
    const found = new Map<string, StoredEvent>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = this.#events.get(id);
      if (known) found.set(id, known);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    for (const [id, event] of await getEvents(this.#db, missing)) {
      this.#events.set(id, event);
      found.set(id, event);
    }
    return found;
  }

  /** An event was (re)written: its outlier flag or rejection may have changed. */
  forgetEvent(eventId: string): void {
    this.#events.delete(eventId);
  }
}
