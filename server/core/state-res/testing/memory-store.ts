// In-memory stand-ins for what a server gives state resolution: a store answering in batches
// (and counting its round trips, to test batching), and an EventSource for testing one step.

import { AuthChainIndex } from '../../dag/auth-chain.ts';
import type { EventWithId } from '../../pdu.ts';
import type { RoomVersion } from '../../room-versions.ts';
import type { EventSource, StateResStore, StoredEvent } from '../types.ts';

export type Rejections = Readonly<Record<string, StoredEvent['rejection']>>;

export interface CountingStore extends StateResStore {
  /** One entry per getEvents call: how many ids it asked for. */
  readonly calls: number[];
}

export function memoryStore(
  events: ReadonlyMap<string, EventWithId>,
  rejections: Rejections = {},
): CountingStore {
  const calls: number[] = [];
  return {
    calls,
    getEvents: async (ids) => {
      calls.push(ids.length);
      const found = new Map<string, StoredEvent>();
      for (const id of ids) {
        const event = events.get(id);
        if (event !== undefined) found.set(id, { ...event, rejection: rejections[id] });
      }
      return found;
    },
  };
}

/** Every event of a room in memory and indexed, for the synchronous steps. */
export function eventSourceOf(
  version: RoomVersion,
  events: ReadonlyMap<string, EventWithId>,
  rejections: Rejections = {},
): EventSource {
  const index = new AuthChainIndex();
  for (const event of events.values()) index.addEvent(version, event);
  return {
    version,
    index,
    get: (id) => {
      const event = events.get(id);
      return event && { ...event, rejection: rejections[id] };
    },
  };
}
