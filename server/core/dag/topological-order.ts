// Kahn's algorithm where, among the nodes whose dependencies are all placed, the smallest by a
// caller-given order goes next. State resolution's reverse topological power ordering is this over
// auth events; persisting a batch of received events is this over prev_events.

import { BinaryHeap } from './binary-heap.ts';

/**
 * Orders `nodes` so that every node comes after the nodes it depends on, picking the smallest
 * ready node (by `isLess`) at each step. Dependencies outside `nodes` are ignored. Nodes on a
 * dependency cycle can never become ready and are left out: a cycle means forged events (ids of
 * room versions 1 and 2 are not hashes), and dropping them is the conservative choice.
 */
export function lexicographicTopologicalSort<T>(
  nodes: Iterable<T>,
  dependenciesOf: (node: T) => Iterable<T>,
  isLess: (a: T, b: T) => boolean,
): T[] {
  const waitingOn = new Map<T, number>();
  for (const node of nodes) waitingOn.set(node, 0);
  const dependents = new Map<T, T[]>();
  for (const node of waitingOn.keys()) {
    const seen = new Set<T>();
    for (const dependency of dependenciesOf(node)) {
      if (!waitingOn.has(dependency) || seen.has(dependency)) continue;
      seen.add(dependency);
      waitingOn.set(node, waitingOn.get(node)! + 1);
      const list = dependents.get(dependency);
      if (list === undefined) dependents.set(dependency, [node]);
      else list.push(node);
    }
  }
  const ready = new BinaryHeap<T>(isLess);
  for (const [node, count] of waitingOn) if (count === 0) ready.push(node);
  const sorted: T[] = [];
  for (let node = ready.pop(); node !== undefined; node = ready.pop()) {
    sorted.push(node);
    for (const dependent of dependents.get(node) ?? []) {
      const left = waitingOn.get(dependent)! - 1;
      waitingOn.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return sorted;
}

/** A stable order for a batch of events: parents (prev_events) first, then by depth, then by id. */
export function orderByPrevEvents<
  E extends { eventId: string; depth: number; prevEvents: readonly string[] },
>(events: Iterable<E>): E[] {
  const byId = new Map<string, E>();
  for (const event of events) byId.set(event.eventId, event);
  return lexicographicTopologicalSort(
    byId.values(),
    (event) => {
      const parents: E[] = [];
      for (const id of event.prevEvents) {
        const parent = byId.get(id);
        if (parent !== undefined) parents.push(parent);
      }
      return parents;
    },
    (a, b) => a.depth < b.depth || (a.depth === b.depth && a.eventId < b.eventId),
  );
}
