// The timeline and state of one room in a response, shared by joined and left rooms: the window
// (room-window.ts), its state section, the events formatted for the device, and the prev_batch
// token from which /messages pages back before the timeline.
import type { JsonObject } from '../core/pdu.ts';
import type { RoomReader } from '../rooms/room-reader.ts';
import { filterVisibleEvents } from '../rooms/visible-events.ts';
import { type SyncEvent, transactionIdsOf } from '../storage/sync-timeline.ts';
import { allowsRoom, timelineLimit } from './event-filter.ts';
import { formatSyncEvents } from './format-events.ts';
import { formatPaginationToken } from './pagination-token.ts';
import type { RoomSummary } from './room-summary.ts';
import { loadRoomWindow, type RoomWindow } from './room-window.ts';
import { loadStateSection, recordSentMembers } from './state-section.ts';
import type { SyncScope } from './sync-scope.ts';

export interface RoomBodyRequest {
  readonly roomId: string;
  readonly reader: RoomReader;
  /** Timeline of the room's latest events and full state (an initial sync, a new room). */
  readonly fromScratch: boolean;
  /** Where the room's timeline ends: the response's position, or the user's leave. */
  readonly upTo: number;
  /** Called once the window is known; a summary's heroes get their member events (lazy-loading). */
  readonly summarize?: ((window: RoomWindow) => Promise<RoomSummary | undefined>) | undefined;
}

export interface RoomBody {
  readonly window: RoomWindow;
  readonly timeline: JsonObject;
  readonly state: JsonObject[];
  readonly summary: RoomSummary | undefined;
}

export async function buildRoomBody(scope: SyncScope, request: RoomBodyRequest): Promise<RoomBody> {
  const { roomId, reader, fromScratch } = request;
  const { db } = scope;
  const filter = scope.filter.room?.timeline;
  const window = await loadRoomWindow(db, {
    roomId,
    after: fromScratch ? undefined : scope.since,
    upTo: request.upTo,
    limit: allowsRoom(filter, roomId) ? timelineLimit(filter) : 0,
    filter,
    ignoredSenders: [...scope.ignoredUsers],
    stateSince: fromScratch || scope.fullState ? undefined : scope.since,
    stateAtEnd: scope.stateAfter,
    // A window reaching back before the user's latest join may hold events they may not see.
    visible: fromScratch ? (events) => visibleOnly(scope, reader, events) : undefined,
  });
  const summary = await request.summarize?.(window);
  const state = await loadStateSection(scope, roomId, window, summary?.heroes ?? []);

  const own = window.timeline.filter((event) => event.pdu.sender === scope.userId);
  const format = {
    now: scope.now,
    transactionIds: await transactionIdsOf(
      db,
      scope.userId,
      scope.deviceId,
      own.map((event) => event.eventId),
    ),
    eventFields: scope.filter.event_fields,
    federation: scope.filter.event_format === 'federation',
  };
  const first = window.timeline[0];
  const timeline: JsonObject = {
    events: await formatSyncEvents(db, reader, window.timeline, format),
    limited: window.limited,
    // "Before s<N>" is every event at or below N: the timeline's first event is excluded.
    prev_batch: formatPaginationToken(first ? first.streamOrdering - 1 : request.upTo),
  };
  recordSentMembers(scope, roomId, [...state, ...window.timeline]);
  return {
    window,
    timeline,
    state: await formatSyncEvents(db, reader, state, format),
    summary,
  };
}

async function visibleOnly(
  scope: SyncScope,
  reader: RoomReader,
  events: SyncEvent[],
): Promise<SyncEvent[]> {
  const visible = new Set(
    (await filterVisibleEvents(scope.db, reader, events)).map((event) => event.eventId),
  );
  return events.filter((event) => visible.has(event.eventId));
}
