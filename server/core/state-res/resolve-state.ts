// State resolution v2 (room versions 2 to 11) and v2.1 (room version 12): the state of a room
// where several forks meet. https://spec.matrix.org/latest/rooms/v2/#state-resolution and
// https://spec.matrix.org/latest/rooms/v12/#state-resolution (MSC4297).
//
// All I/O happens up front, in batches, through the store; the steps after that are synchronous.

import { AuthChainIndex } from '../dag/auth-chain.ts';
import type { RoomVersion } from '../room-versions.ts';
import { type ReadonlyStateMap, type StateKey, type StateMap, stateKey } from '../state-map.ts';
import { authStateKeys } from './auth-state-keys.ts';
import { EventLoader } from './event-loader.ts';
import { fullConflictedSet } from './full-conflicted-set.ts';
import { iterativeAuthChecks } from './iterative-auth-checks.ts';
import { mainlineOrder } from './mainline-ordering.ts';
import { reverseTopologicalPowerOrder } from './power-ordering.ts';
import { splitState } from './split-state.ts';
import {
  type AuthCheck,
  type ResolveOptions,
  StateResolutionError,
  type StateResStore,
} from './types.ts';

export async function resolveState(
  version: RoomVersion,
  stateSets: readonly ReadonlyStateMap[],
  store: StateResStore,
  authCheck: AuthCheck,
  options: ResolveOptions = {},
): Promise<StateMap> {
  if (version.stateResolution === 'v1') {
    throw new StateResolutionError(`room version ${version.id} uses state resolution v1`);
  }
  const { unconflicted, conflicted } = splitState(stateSets);
  if (conflicted.size === 0) return unconflicted;

  const loader = new EventLoader(version, store, options.index ?? new AuthChainIndex());
  const index = loader.index;
  const allStateEvents = new Set<string>();
  for (const set of stateSets) for (const id of set.values()) allStateEvents.add(id);
  await loader.indexAuthClosure(allStateEvents);

  const conflictedEvents = [...conflicted.values()].flat();
  const candidates = fullConflictedSet(version, index, stateSets, conflictedEvents);
  // The events to replay and the auth events they are checked and ordered with.
  const wanted = new Set(candidates);
  for (const id of candidates)
    for (const authId of index.authEventsOf(id) ?? []) wanted.add(authId);
  await loader.load(wanted);
  // An event nobody can produce cannot be checked, so it cannot be replayed either.
  const full = new Set([...candidates].filter((id) => loader.get(id) !== undefined));

  // The unconflicted entries the auth rules may consult; in v2 they seed the partial state.
  const consulted = new Map<StateKey, string>();
  for (const id of full) {
    for (const key of authStateKeys(version, loader.get(id)!.pdu)) {
      const entry = unconflicted.get(key);
      if (entry !== undefined) consulted.set(key, entry);
    }
  }
  await loader.load(consulted.values());

  // Steps 1 and 2: power events first. v2.1 starts from nothing, so each event is checked
  // against its own auth events rather than against state some fork claims (MSC4297 problem A).
  const powerOrder = reverseTopologicalPowerOrder(loader, full);
  const initial: StateMap = version.stateResolution === 'v2.1' ? new Map() : new Map(unconflicted);
  // An entry the store could not produce cannot be read by the rules: they see the auth events.
  for (const [key, id] of consulted) if (!loader.get(id)) initial.delete(key);
  let resolved = iterativeAuthChecks(loader, powerOrder, initial, authCheck);

  // Steps 3 and 4: everything else, in mainline order of the power levels resolved so far.
  const inPowerOrder = new Set(powerOrder);
  const others = [...full].filter((id) => !inPowerOrder.has(id));
  const powerLevels = resolved.get(stateKey('m.room.power_levels', ''));
  resolved = iterativeAuthChecks(
    loader,
    mainlineOrder(loader, others, powerLevels),
    resolved,
    authCheck,
  );

  // Step 5: the unconflicted state map has the last word.
  for (const [key, id] of unconflicted) resolved.set(key, id);
  return resolved;
}
