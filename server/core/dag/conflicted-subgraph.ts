// The conflicted state subgraph of state resolution v2.1 (room version 12): every event on an
// auth-event path from one conflicted event to another, endpoints included. Such an event is both
// an ancestor-or-self of a conflicted event and a descendant-or-self of one, so: walk the
// ancestors of the conflicted events in post-order (auth events before the events citing them),
// and keep each event that is conflicted or cites a kept event.

import type { AuthChainIndex } from './auth-chain.ts';

export function conflictedSubgraph(
  index: AuthChainIndex,
  conflicted: Iterable<string>,
): Set<string> {
  const size = index.size;
  const isConflicted = new Uint8Array(size);
  const seeds = index.toNumbers(conflicted);
  for (const n of seeds) isConflicted[n] = 1;

  // 0: unvisited, 1: on the DFS path, 2: finished; `reaches` is set for kept events.
  const visit = new Uint8Array(size);
  const reaches = new Uint8Array(size);
  const subgraph = new Set<string>();
  const path: number[] = [];
  const nextEdge: number[] = [];
  for (const seed of seeds) {
    if (visit[seed] !== 0) continue;
    path.push(seed);
    nextEdge.push(0);
    visit[seed] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const n = path[top]!;
      const edges = index.edgesOf(n);
      const i = nextEdge[top]!;
      if (i < edges.length) {
        nextEdge[top] = i + 1;
        const m = edges[i]!;
        if (visit[m] === 0) {
          visit[m] = 1;
          path.push(m);
          nextEdge.push(0);
        }
        continue;
      }
      path.pop();
      nextEdge.pop();
      visit[n] = 2;
      let keep = isConflicted[n] === 1;
      // An edge to an event still on the path closes a cycle (forged ids); it is ignored.
      for (let j = 0; !keep && j < edges.length; j++) keep = reaches[edges[j]!] === 1;
      if (keep) {
        reaches[n] = 1;
        subgraph.add(index.idOf(n));
      }
    }
  }
  return subgraph;
}
