// Room state as a map from (event type, state key) to event id. The key joins both parts with a
// NUL, which can appear in neither a valid event type nor a state key we accept.

export type StateKey = string;
export type StateMap = Map<StateKey, string>;
export type ReadonlyStateMap = ReadonlyMap<StateKey, string>;

export function stateKey(type: string, key: string): StateKey {
  return `${type}\u0000${key}`;
}

export function splitStateKey(key: StateKey): [type: string, stateKey: string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}
