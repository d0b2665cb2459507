// Step 1 of the algorithm: the power events of the full conflicted set, with the events of their
// auth chains that are in the full conflicted set too, in reverse topological power ordering.
// Like Synapse and ruma, an auth chain is followed only through events of the full conflicted
// set, and the DAG sorted is the auth edges among the selected events.

import { lexicographicTopologicalSort } from '../dag/topological-order.ts';
import { isPowerEvent } from './power-events.ts';
import { senderPowerLevel } from './sender-power.ts';
import type { EventSource, StoredEvent } from './types.ts';

export function reverseTopologicalPowerOrder(
  source: EventSource,
  fullConflictedSet: ReadonlySet<string>,
): string[] {
  const authEdges = new Map<string, string[]>();
  const stack: string[] = [];
  for (const id of fullConflictedSet) {
    const event = source.get(id);
    if (event !== undefined && isPowerEvent(event.pdu)) stack.push(id);
  }
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (authEdges.has(id)) continue;
    const inSet = (source.index.authEventsOf(id) ?? []).filter((a) => fullConflictedSet.has(a));
    authEdges.set(id, inSet);
    for (const authId of inSet) if (!authEdges.has(authId)) stack.push(authId);
  }

  const power = new Map<string, number>();
  const timestamp = new Map<string, number>();
  for (const id of authEdges.keys()) {
    const event = source.get(id)!;
    power.set(id, senderPowerLevel(source.version, event, loadedAuthEvents(source, id)));
    timestamp.set(id, originServerTs(event));
  }
  return lexicographicTopologicalSort(
    authEdges.keys(),
    (id) => authEdges.get(id)!,
    (a, b) => {
      const pa = power.get(a)!;
      const pb = power.get(b)!;
      if (pa !== pb) return pa > pb;
      const ta = timestamp.get(a)!;
      const tb = timestamp.get(b)!;
      if (ta !== tb) return ta < tb;
      return a < b;
    },
  );
}

export function loadedAuthEvents(source: EventSource, eventId: string): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const authId of source.index.authEventsOf(eventId) ?? []) {
    const authEvent = source.get(authId);
    if (authEvent !== undefined) out.push(authEvent);
  }
  return out;
}

export function originServerTs(event: StoredEvent): number {
  const ts = event.pdu.origin_server_ts;
  return typeof ts === 'number' && Number.isFinite(ts) ? ts : 0;
}
