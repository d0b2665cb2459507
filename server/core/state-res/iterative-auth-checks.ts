// The iterative auth checks: each event in turn is authorised against the state built so far,
// and on success becomes that state's entry for its key. An entry the rules need but the state
// lacks comes from the event's own auth events, unless that auth event was rejected. So the state
// an event is checked against is its auth events overlaid with the partially resolved state.

import type { EventWithId } from '../pdu.ts';
import { type StateKey, type StateMap, stateKey } from '../state-map.ts';
import {
  type AuthCheck,
  type EventSource,
  type StateLookup,
  StateResolutionError,
  type StoredEvent,
} from './types.ts';

/** Applies the checks to `state` in place (rooms are big; copying it per step would show) and returns it. */
export function iterativeAuthChecks(
  source: EventSource,
  eventIds: readonly string[],
  state: StateMap,
  authCheck: AuthCheck,
): StateMap {
  for (const eventId of eventIds) {
    const event = source.get(eventId);
    if (event === undefined || typeof event.pdu.state_key !== 'string') continue;
    // Rejected against its own auth events: never state, whatever the state around it now.
    if (event.rejection === 'auth-events') continue;
    const fromAuthEvents = authEventsByKey(source, eventId);
    const lookup: StateLookup = (type, key) => {
      const k = stateKey(type, key);
      const resolvedId = state.get(k);
      if (resolvedId !== undefined) {
        const resolved = source.get(resolvedId);
        if (resolved === undefined) {
          throw new StateResolutionError(`state entry ${resolvedId} was not fetched before auth`);
        }
        // Only a forged state set can hold such an event; its auth events stand in for it.
        if (resolved.rejection !== 'auth-events') return resolved;
      }
      return fromAuthEvents.get(k);
    };
    if (authCheck(event, lookup)) state.set(stateKey(event.pdu.type, event.pdu.state_key), eventId);
  }
  return state;
}

function authEventsByKey(source: EventSource, eventId: string): Map<StateKey, EventWithId> {
  const byKey = new Map<StateKey, StoredEvent>();
  for (const authId of source.index.authEventsOf(eventId) ?? []) {
    const authEvent = source.get(authId);
    if (authEvent === undefined || authEvent.rejection !== undefined) continue;
    if (typeof authEvent.pdu.state_key !== 'string') continue;
    byKey.set(stateKey(authEvent.pdu.type, authEvent.pdu.state_key), authEvent);
  }
  return byKey;
}
