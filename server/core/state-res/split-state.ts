// Splits the state sets into the unconflicted state map (a key every set maps to the same event)
// and the conflicted state set (every other key, with all the events the sets give it). A key
// missing from some set is conflicted even if the others agree, as the spec's "present in every
// Sᵢ" says.

import type { ReadonlyStateMap, StateKey, StateMap } from '../state-map.ts';

export interface SplitState {
  readonly unconflicted: StateMap;
  /** Each conflicted key's distinct events, sorted so iteration order never depends on input order. */
  readonly conflicted: Map<StateKey, string[]>;
}

export function splitState(stateSets: readonly ReadonlyStateMap[]): SplitState {
  const unconflicted: StateMap = new Map();
  const conflicted = new Map<StateKey, string[]>();
  const [first, ...rest] = stateSets;
  if (first === undefined) return { unconflicted, conflicted };

  for (const [key, eventId] of first) {
    if (rest.every((set) => set.get(key) === eventId)) unconflicted.set(key, eventId);
    else conflicted.set(key, []);
  }
  for (const set of rest) {
    for (const key of set.keys()) if (!first.has(key)) conflicted.set(key, []);
  }
  for (const [key, events] of conflicted) {
    const distinct = new Set<string>();
    for (const set of stateSets) {
      const eventId = set.get(key);
      if (eventId !== undefined) distinct.add(eventId);
    }
    events.push(...[...distinct].sort());
  }
  return { unconflicted, conflicted };
}
