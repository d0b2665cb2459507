// The member events a user may list: current ones while joined (or in a world_readable room),
// those at their last membership change once they are gone, and none if they never were in the
// room, as for every read of its history (room-reader.ts): an invitee who declined without ever
// joining reads no more of the room than one who never was invited. `at` (a stream position
// taken from a sync or pagination token) looks further back, never past the user's departure.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidmembers
import type { Kysely } from 'kysely';
import { type StateMap, splitStateKey } from '../core/state-map.ts';
import { forbidden } from '../http/matrix-error.ts';
import { getCurrentState, getEvents, type StoredEvent } from '../storage/events.ts';
import {
  stateAfterEvent,
  stateAfterFirstMember,
  stateAtStreamPosition,
} from '../storage/room-members.ts';
import type { Database } from '../storage/schema.ts';
import { loadRoomReader } from './room-reader.ts';

export async function memberEventsVisibleTo(
  db: Kysely<Database>,
  request: { roomId: string; userId: string; atPosition?: number | undefined },
): Promise<StoredEvent[]> {
  const { roomId, userId, atPosition } = request;
  const reader = await loadRoomReader(db, roomId, userId);
  if (!reader) throw forbidden(`You are not and were not a member of room ${roomId}`);
  const { departure } = reader;
  let state: StateMap | undefined;
  if (!departure) {
    state =
      atPosition === undefined
        ? await getCurrentState(db, roomId)
        : await stateAtPosition(db, roomId, atPosition);
  } else {
    state =
      atPosition !== undefined && atPosition < departure.streamOrdering
        ? await stateAtPosition(db, roomId, atPosition)
        : await stateAfterEvent(db, departure.eventId);
  }
  const memberIds: string[] = [];
  for (const [key, eventId] of state ?? []) {
    if (splitStateKey(key)[0] === 'm.room.member') memberIds.push(eventId);
  }
  const events = [...(await getEvents(db, memberIds)).values()];
  return events.sort((a, b) => compare(a.pdu.state_key, b.pdu.state_key));
}

/**
 * The state at a token. A token from before the room's first event (the `prev_batch` of a
 * timeline that starts at the room's creation) would name a room with no members at all; the
 * members that timeline starts with are those of the room as it began, once its creator joined.
 */
async function stateAtPosition(
  db: Kysely<Database>,
  roomId: string,
  position: number,
): Promise<StateMap | undefined> {
  return (
    (await stateAtStreamPosition(db, roomId, position)) ?? (await stateAfterFirstMember(db, roomId))
  );
}

/**
 * The spec's `membership` / `not_membership` query: each alone filters; together they are an
 * "or" (membership is `membership`, or is not `not_membership`), as the spec words it.
 */
export function filterByMembership<T extends { readonly pdu: StoredEvent['pdu'] }>(
  events: readonly T[],
  filter: { membership?: string | undefined; notMembership?: string | undefined },
): T[] {
  const { membership, notMembership } = filter;
  if (membership === undefined && notMembership === undefined) return [...events];
  return events.filter((event) => {
    const value = event.pdu.content.membership;
    return (
      (membership !== undefined && value === membership) ||
      (notMembership !== undefined && value !== notMembership)
    );
  });
}

function compare(a: unknown, b: unknown): number {
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
