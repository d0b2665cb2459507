// One room under `rooms.join`: timeline, state, summary, account data, ephemeral events, unread
// counts. In an incremental sync a room with nothing new is left out (undefined).
import type { JsonObject } from '../core/pdu.ts';
import { loadRoomReader } from '../rooms/room-reader.ts';
import { joinedReader } from './joined-reader.ts';
import { buildRoomBody } from './room-body.ts';
import type { RoomMembership } from './room-memberships.ts';
import { loadRoomSummary } from './room-summary.ts';
import type { RoomWindow } from './room-window.ts';
import { type SyncScope, stateSectionName } from './sync-scope.ts';
import type { RoomUnreadCounts, UnreadCounts } from './sync-sources.ts';

export interface JoinedRoomExtras {
  readonly accountData: readonly JsonObject[];
  readonly ephemeral: readonly JsonObject[];
  readonly unread: RoomUnreadCounts;
}

export async function buildJoinedRoom(
  scope: SyncScope,
  room: RoomMembership,
  newlyJoined: boolean,
  extras: JoinedRoomExtras,
): Promise<JsonObject | undefined> {
  const { roomId } = room;
  const fromScratch = scope.since === undefined || newlyJoined;
  const reader = fromScratch
    ? await loadRoomReader(scope.db, roomId, scope.userId)
    : await joinedReader(scope.db, scope.roomVersions, scope.userId, room.current);
  if (!reader) return undefined;
  const wholeRoom = fromScratch || scope.fullState;
  const body = await buildRoomBody(scope, {
    roomId,
    reader,
    fromScratch,
    upTo: scope.upTo,
    // Counts and heroes are sent when they may have changed: with the full state, or when
    // membership moved in the timeline or the state delta.
    summarize: (window) =>
      wholeRoom || membershipMoved(window)
        ? loadRoomSummary(scope.db, roomId, scope.userId)
        : Promise.resolve(undefined),
  });
  const quiet =
    !wholeRoom &&
    body.window.timeline.length === 0 &&
    body.state.length === 0 &&
    extras.accountData.length === 0 &&
    extras.ephemeral.length === 0;
  if (quiet) return undefined;
  return {
    timeline: body.timeline,
    [stateSectionName(scope)]: { events: body.state },
    account_data: { events: [...extras.accountData] },
    ephemeral: { events: [...extras.ephemeral] },
    unread_notifications: countsJson(extras.unread),
    ...(extras.unread.threads
      ? { unread_thread_notifications: mapValues(extras.unread.threads, countsJson) }
      : {}),
    ...(body.summary ? { summary: body.summary.json } : {}),
  };
}

function countsJson(counts: UnreadCounts): JsonObject {
  return { notification_count: counts.notification_count, highlight_count: counts.highlight_count };
}

function mapValues<T>(record: Readonly<Record<string, T>>, f: (value: T) => JsonObject) {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

function membershipMoved(window: RoomWindow): boolean {
  if (window.timeline.some((event) => event.pdu.type === 'm.room.member')) return true;
  for (const key of window.state.keys()) if (key.startsWith('m.room.member\u0000')) return true;
  return false;
}
