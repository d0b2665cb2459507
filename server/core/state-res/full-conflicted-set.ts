// The full conflicted set: the events state resolution replays. v2 takes the conflicted state set
// and the auth difference; v2.1 (room version 12) adds the conflicted state subgraph, so the auth
// history between an outdated and a current conflicted event is replayed too (MSC4297 problem B).

import type { AuthChainIndex } from '../dag/auth-chain.ts';
import { authDifference } from '../dag/auth-difference.ts';
import { conflictedSubgraph } from '../dag/conflicted-subgraph.ts';
import type { RoomVersion } from '../room-versions.ts';
import type { ReadonlyStateMap } from '../state-map.ts';

export function fullConflictedSet(
  version: RoomVersion,
  index: AuthChainIndex,
  stateSets: readonly ReadonlyStateMap[],
  conflictedEvents: readonly string[],
): Set<string> {
  const full = authDifference(
    index,
    stateSets.map((set) => set.values()),
  );
  for (const id of conflictedEvents) full.add(id);
  if (version.stateResolution === 'v2.1') {
    for (const id of conflictedSubgraph(index, conflictedEvents)) full.add(id);
  }
  return full;
}
