// Ways to hand room state to the auth rules as a StateLookup.

import type { EventWithId } from '../pdu.ts';
import { type ReadonlyStateMap, stateKey } from '../state-map.ts';
import type { StateLookup } from './auth-types.ts';
import { stateKeyOf } from './pdu-fields.ts';

/** State made of the given state events; a later event replaces an earlier one with the same key. */
export function lookupFromEvents(events: Iterable<EventWithId>): StateLookup {
  const byKey = new Map<string, EventWithId>();
  for (const event of events) {
    const key = stateKeyOf(event.pdu);
    if (key !== undefined) byKey.set(stateKey(event.pdu.type, key), event);
  }
  return (type, key) => byKey.get(stateKey(type, key));
}

/** State as a StateMap of event ids, with the events fetched on demand. */
export function lookupFromStateMap(
  state: ReadonlyStateMap,
  getEvent: (eventId: string) => EventWithId | undefined,
): StateLookup {
  return (type, key) => {
    const id = state.get(stateKey(type, key));
    return id === undefined ? undefined : getEvent(id);
  };
}
