// The auth difference of state resolution v2: the events in the full auth chain of some state
// set but not of all of them (∪Cᵢ − ∩Cᵢ). Following the spec's definition, the full auth chain of
// a state set is the union of the auth chains of its events, which do not contain the events
// themselves.
//
// Every state set shares the events both forks agree on, so the chain of those common events
// (U) is in every Cᵢ. Writing Cᵢ = U ∪ Dᵢ with Dᵢ the chain of set i's other events,
// ∪Cᵢ − ∩Cᵢ = ∪Dᵢ − ∩Dᵢ − U: U is walked once, and each Dᵢ only up to where it joins U, which
// keeps the work near the size of the fork rather than of the room.

import type { AuthChainIndex } from './auth-chain.ts';

export function authDifference(
  index: AuthChainIndex,
  stateSets: ReadonlyArray<Iterable<string>>,
): Set<string> {
  const setCount = stateSets.length;
  const difference = new Set<string>();
  if (setCount < 2) return difference;

  const seedsPerSet = stateSets.map((set) => [...new Set(index.toNumbers(set))]);
  const occurrences = new Map<number, number>();
  for (const seeds of seedsPerSet) {
    for (const n of seeds) occurrences.set(n, (occurrences.get(n) ?? 0) + 1);
  }
  const common: number[] = [];
  for (const [n, count] of occurrences) if (count === setCount) common.push(n);

  const inCommonChain = new Uint8Array(index.size);
  index.walkAncestors(common, (n) => {
    inCommonChain[n] = 1;
  });

  const counts = new Map<number, number>();
  const isCommon = (n: number) => inCommonChain[n] === 1;
  for (const seeds of seedsPerSet) {
    const own = seeds.filter((n) => occurrences.get(n) !== setCount);
    // Stopping at the common chain prunes the walk where it joins U.
    index.walkAncestors(
      own,
      (n) => {
        counts.set(n, (counts.get(n) ?? 0) + 1);
      },
      isCommon,
    );
  }
  for (const [n, count] of counts) if (count < setCount) difference.add(index.idOf(n));
  return difference;
}
