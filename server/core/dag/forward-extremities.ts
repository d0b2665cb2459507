// Forward extremities are the room's newest events: those no other known event lists in its
// prev_events. A new local event cites them all as its prev_events, which is how forks merge.

export interface DagEvent {
  readonly eventId: string;
  readonly prevEvents: readonly string[];
}

/** The events of `events` that no event of `events` references, sorted by id. */
export function forwardExtremities(events: Iterable<DagEvent>): string[] {
  const all: string[] = [];
  const referenced = new Set<string>();
  for (const event of events) {
    all.push(event.eventId);
    for (const prev of event.prevEvents) referenced.add(prev);
  }
  return [...new Set(all.filter((id) => !referenced.has(id)))].sort();
}

/**
 * The extremities after adding `added` to a room whose extremities were `current`. An added
 * event becomes an extremity unless something already references it: `isReferenced` answers
 * that for events persisted earlier (an older event arriving late, e.g. by backfill, must not
 * become an extremity again), and references among `added` are seen here.
 */
export function advanceForwardExtremities(
  current: Iterable<string>,
  added: Iterable<DagEvent>,
  isReferenced: (eventId: string) => boolean,
): string[] {
  const extremities = new Set(current);
  const batch = [...added];
  const referencedByBatch = new Set<string>();
  for (const event of batch) for (const prev of event.prevEvents) referencedByBatch.add(prev);
  for (const id of referencedByBatch) extremities.delete(id);
  for (const event of batch) {
    if (!referencedByBatch.has(event.eventId) && !isReferenced(event.eventId)) {
      extremities.add(event.eventId);
    }
  }
  return [...extremities].sort();
}
