// The room state a reader is shown: current state for a member (or anyone, in a world_readable
// room), the state as it was at their last membership change for a user who left.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidstate
import type { Kysely } from 'kysely';
import { type StateMap, stateKey } from '../core/state-map.ts';
import { getCurrentState, type StoredEvent } from '../storage/events.ts';
import { getEventStateGroups } from '../storage/room-timeline.ts';
import type { Database } from '../storage/schema.ts';
import { readStateEntries } from '../storage/state-entries.ts';
import { readStateGroup } from '../storage/state-groups.ts';
import type { RoomReader } from './room-reader.ts';

export async function readableState(db: Kysely<Database>, reader: RoomReader): Promise<StateMap> {
  if (!reader.departure) return getCurrentState(db, reader.roomId);
  return stateAfterEvent(db, reader.departure.eventId);
}

/** The full state after an event (empty for an outlier, which has no state stored). */
export async function stateAfterEvent(db: Kysely<Database>, eventId: string): Promise<StateMap> {
  const group = (await getEventStateGroups(db, [eventId])).get(eventId)?.after;
  return group === null || group === undefined ? new Map() : readStateGroup(db, group);
}

/**
 * Lazy-loaded members: for each sender of the events, the id of their m.room.member event in the
 * state after the newest of their events here.
 */
export async function senderMemberEventIds(
  db: Kysely<Database>,
  events: readonly StoredEvent[],
): Promise<string[]> {
  const newestBySender = new Map<string, StoredEvent>();
  for (const event of events) {
    const seen = newestBySender.get(event.pdu.sender);
    if (!seen || seen.streamOrdering < event.streamOrdering) {
      newestBySender.set(event.pdu.sender, event);
    }
  }
  if (newestBySender.size === 0) return [];
  const groups = await getEventStateGroups(
    db,
    [...newestBySender.values()].map((event) => event.eventId),
  );
  const entries = await readStateEntries(
    db,
    [...groups.values()].flatMap((g) => (g.after === null ? [] : [g.after])),
    [...newestBySender.keys()].map((sender) => ['m.room.member', sender] as const),
  );
  const ids = new Set<string>();
  for (const [sender, event] of newestBySender) {
    const group = groups.get(event.eventId)?.after;
    const id =
      group == null ? undefined : entries.get(group)?.get(stateKey('m.room.member', sender));
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}
