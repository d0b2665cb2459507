// One room under `rooms.leave`: the timeline up to the user's leave (or ban), and the state at its
// start. A user who never joined (a rejected invite, a withdrawn knock) sees only their own
// membership event.
import type { JsonObject } from '../core/pdu.ts';
import { loadRoomReader, type RoomReader } from '../rooms/room-reader.ts';
import { getEvent } from '../storage/events.ts';
import { isRoomForgotten } from '../storage/room-forgotten.ts';
import { memberEventsAt } from '../storage/sync-memberships.ts';
import { formatSyncEvents } from './format-events.ts';
import { formatPaginationToken } from './pagination-token.ts';
import { buildRoomBody } from './room-body.ts';
import type { RoomMembership } from './room-memberships.ts';
import { type SyncScope, stateSectionName } from './sync-scope.ts';

export async function buildLeftRoom(
  scope: SyncScope,
  room: RoomMembership,
  accountData: readonly JsonObject[],
): Promise<JsonObject | undefined> {
  const { roomId, current: leave } = room;
  // A forgotten room is gone from the user's view, archive included.
  if (await isRoomForgotten(scope.db, scope.userId, roomId)) return undefined;
  const joinedBefore =
    scope.since === undefined
      ? (await memberEventsAt(scope.db, scope.userId, [roomId], leave.streamOrdering - 1)).get(
          roomId,
        )?.membership === 'join'
      : room.previous?.membership === 'join' ||
        room.changes.some((change) => change.membership === 'join');
  const reader = joinedBefore ? await loadRoomReader(scope.db, roomId, scope.userId) : undefined;
  if (joinedBefore && !reader) return undefined;
  const account_data = { events: [...accountData] };

  if (!reader) {
    const event = await getEvent(scope.db, leave.eventId);
    const version = await scope.roomVersions.get(scope.db, roomId);
    if (!event || !version) return undefined;
    // Served like any event (prev_content tells a rejected invite from a withdrawn knock); the
    // reader reads only this event, so it stands as its own departure.
    const ownEvent: RoomReader = {
      roomId,
      userId: scope.userId,
      version,
      membership: leave.membership,
      latestJoin: undefined,
      departure: { eventId: leave.eventId, streamOrdering: leave.streamOrdering },
    };
    const events = await formatSyncEvents(scope.db, ownEvent, [event], {
      now: scope.now,
      transactionIds: new Map(),
      eventFields: scope.filter.event_fields,
      federation: scope.filter.event_format === 'federation',
    });
    return {
      timeline: {
        events,
        limited: false,
        prev_batch: formatPaginationToken(leave.streamOrdering - 1),
      },
      // The user's own membership is all they know of the room's state; with state_after the
      // client takes state from it alone, not from the timeline.
      [stateSectionName(scope)]: { events: scope.stateAfter ? events : [] },
      account_data,
    };
  }
  // Joined at the token: the timeline continues from it. Joined and left since: from scratch.
  const fromScratch = scope.since === undefined || room.previous?.membership !== 'join';
  const body = await buildRoomBody(scope, {
    roomId,
    reader,
    fromScratch,
    upTo: leave.streamOrdering,
  });
  return {
    timeline: body.timeline,
    [stateSectionName(scope)]: { events: body.state },
    account_data,
  };
}
