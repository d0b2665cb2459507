// Walks back through a room's prev_events for /backfill and /get_missing_events. Events are read
// as the walk reaches them (one query per step: the next step's ids are only known from the
// event before). Only this room's events that took their place in the timeline are walked
// through (no outliers: their surroundings are unknown here); rejected events are walked through
// but never handed out, as Synapse does.
import type { Kysely } from 'kysely';
import { prevEventIds } from '../../server/core/dag/auth-events.ts';
import { BinaryHeap } from '../../server/core/dag/binary-heap.ts';
import { getEvents, type StoredEvent } from '../../server/storage/events.ts';
import type { Database } from '../../server/storage/schema.ts';

/**
 * /backfill: the `from` events and those before them, newest first by depth (then by the order
 * this server stored them), up to `limit` events: Synapse's depth-ordered breadth-first search.
 * https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1backfillroomid
 */
export async function walkBackfill(
  db: Kysely<Database>,
  roomId: string,
  fromIds: readonly string[],
  limit: number,
): Promise<StoredEvent[]> {
  const queue = new BinaryHeap<StoredEvent>((a, b) => isNewer(a, b));
  const queued = new Set<string>(fromIds);
  // A `from` event may be an outlier: the server asks from what it knows of the room.
  for (const event of (await getEvents(db, fromIds)).values()) {
    if (event.roomId === roomId) queue.push(event);
  }
  const taken: StoredEvent[] = [];
  while (queue.size > 0 && taken.length < limit) {
    const event = queue.pop()!;
    if (event.rejectedReason === null) taken.push(event);
    const prevIds = prevEventIds(event.pdu).filter((id) => !queued.has(id));
    for (const id of prevIds) queued.add(id);
    for (const prev of (await getEvents(db, prevIds)).values()) {
      if (isTimelineEvent(prev, roomId)) queue.push(prev);
    }
  }
  return taken.sort((a, b) => (isNewer(a, b) ? -1 : 1));
}

/**
 * /get_missing_events: breadth-first from `latest` through prev_events, skipping `earliest` (what
 * the asking server has) and events below `minDepth`, up to `limit` events; returned oldest first,
 * as Synapse returns them (the reverse of the order found). The `latest` events themselves are
 * not returned: the asker has them.
 * https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1get_missing_eventsroomid
 */
export async function walkMissingEvents(
  db: Kysely<Database>,
  roomId: string,
  request: {
    earliest: readonly string[];
    latest: readonly string[];
    limit: number;
    minDepth: number;
  },
): Promise<StoredEvent[]> {
  const seen = new Set<string>(request.earliest);
  const latest = request.latest.filter((id) => !seen.has(id));
  let front = [...(await getEvents(db, latest)).values()].filter(
    (event) => event.roomId === roomId,
  );
  for (const event of front) seen.add(event.eventId);
  const found: StoredEvent[] = [];
  while (front.length > 0 && found.length < request.limit) {
    const prevIds: string[] = [];
    for (const event of front) {
      for (const id of prevEventIds(event.pdu)) {
        if (!seen.has(id)) {
          seen.add(id);
          prevIds.push(id);
        }
      }
    }
    const prevs = await getEvents(db, prevIds);
    const next: StoredEvent[] = [];
    for (const id of prevIds) {
      const prev = prevs.get(id);
      if (!prev || !isTimelineEvent(prev, roomId) || depthOf(prev) < request.minDepth) continue;
      next.push(prev);
      if (prev.rejectedReason === null) found.push(prev);
      if (found.length >= request.limit) break;
    }
    front = next;
  }
  return found.reverse();
}

function isTimelineEvent(event: StoredEvent, roomId: string): boolean {
  return event.roomId === roomId && !event.outlier;
}

function isNewer(a: StoredEvent, b: StoredEvent): boolean {
  const depthA = depthOf(a);
  const depthB = depthOf(b);
  return depthA !== depthB ? depthA > depthB : a.streamOrdering > b.streamOrdering;
}

function depthOf(event: StoredEvent): number {
  const { depth } = event.pdu;
  return typeof depth === 'number' ? depth : 0;
}
