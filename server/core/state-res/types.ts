// The small interfaces state resolution is written against: where events come from, and how an
// event is authorised. Both are passed in, so tests give an in-memory store and the pipeline a
// database-backed one, and the auth rules can be swapped without touching the algorithm.

import type { AuthChainIndex } from '../dag/auth-chain.ts';
import type { EventWithId } from '../pdu.ts';
import type { RoomVersion } from '../room-versions.ts';

/**
 * An event as the store has it. Rejection matters in two ways (rooms/v2 "Rejected events"): an
 * event rejected because of its own auth events must never enter state, while one rejected only
 * against the state before it is re-checked like any other. Neither kind is used to fill in a
 * missing entry from an event's auth events.
 */
export interface StoredEvent extends EventWithId {
  readonly rejection?: 'auth-events' | 'state-before';
}

export interface StateResStore {
  /**
   * The events with these ids that the store has; unknown ids are left out. Called with batches
   * (possibly thousands of ids), never once per event.
   */
  getEvents(
    eventIds: readonly string[],
  ): Promise<ReadonlyMap<string, StoredEvent>> | ReadonlyMap<string, StoredEvent>;
  /**
   * Optional: the ids of the full auth chains of these events in one answer (a database can do
   * this with one recursive query). Without it, chains are discovered one auth-DAG layer per
   * round trip.
   */
  getAuthChainIds?(eventIds: readonly string[]): Promise<Iterable<string>> | Iterable<string>;
}

/** Looks up the state an event is checked against, by event type and state key. */
export type StateLookup = (type: string, stateKey: string) => EventWithId | undefined;

/** The authorisation rules: does `event` pass against `state`? */
export type AuthCheck = (event: EventWithId, state: StateLookup) => boolean;

export interface ResolveOptions {
  /**
   * An auth chain index to reuse. A server keeps one per room so the auth DAG is fetched and
   * walked once, not at every resolution; a fresh one is made when omitted.
   */
  readonly index?: AuthChainIndex;
}

/** The events of one resolution, in memory: what the synchronous steps read. */
export interface EventSource {
  readonly version: RoomVersion;
  readonly index: AuthChainIndex;
  get(eventId: string): StoredEvent | undefined;
}

/** A resolution that cannot be carried out (unsupported algorithm, or a bug in what was fetched). */
export class StateResolutionError extends Error {
  override name = 'StateResolutionError';
}
