// The events of a room's `state` section: the window's state entries, narrowed by lazy-loading
// (select-state.ts) and the state filter, oldest first. Also records, for lazy-loading, which
// member events a response carried.
import type { StateKey } from '../core/state-map.ts';
import { stateKey } from '../core/state-map.ts';
import { matchesRoomEventFilter } from '../rooms/room-event-filter.ts';
import { getEvents, type StoredEvent } from '../storage/events.ts';
import { readStateEntries } from '../storage/state-entries.ts';
import { allowsRoom } from './event-filter.ts';
import type { RoomWindow } from './room-window.ts';
import { type LazyMembers, selectStateEventIds } from './select-state.ts';
import { deviceKeyOf, type SyncScope } from './sync-scope.ts';

export async function loadStateSection(
  scope: SyncScope,
  roomId: string,
  window: RoomWindow,
  heroes: readonly string[],
): Promise<StoredEvent[]> {
  const filter = scope.filter.room?.state;
  if (!allowsRoom(filter, roomId)) return [];
  const lazy = filter?.lazy_load_members
    ? await lazyMembersOf(scope, roomId, window, heroes, filter.include_redundant_members === true)
    : undefined;
  const ids = selectStateEventIds(window.state, window.fullState, lazy);
  const events = await getEvents(scope.db, ids);
  return [...events.values()]
    .filter((event) => filter === undefined || matchesRoomEventFilter(filter, event))
    .sort((a, b) => a.streamOrdering - b.streamOrdering);
}

async function lazyMembersOf(
  scope: SyncScope,
  roomId: string,
  window: RoomWindow,
  heroes: readonly string[],
  includeRedundant: boolean,
): Promise<LazyMembers> {
  const needed = new Set([...window.timeline.map((event) => event.pdu.sender), ...heroes]);
  // The spec asks for the user's own member event whenever the full state is sent.
  if (window.fullState) needed.add(scope.userId);
  const atStart = new Map<string, string>();
  if (window.fullState) {
    for (const userId of needed) {
      const eventId = window.state.get(stateKey('m.room.member', userId));
      if (eventId !== undefined) atStart.set(userId, eventId);
    }
  } else if (window.stateGroup !== null && needed.size > 0) {
    const found = await readStateEntries(
      scope.db,
      [window.stateGroup],
      [...needed].map((userId) => ['m.room.member', userId] as const),
    );
    for (const [key, eventId] of found.get(window.stateGroup) ?? new Map<StateKey, string>()) {
      atStart.set(key.slice(key.indexOf('\u0000') + 1), eventId);
    }
  }
  // Only an incremental window trusts the device's record: on a full-state sync (an initial one,
  // a newly joined room) the client may hold nothing.
  const device = deviceKeyOf(scope);
  const isRedundant =
    includeRedundant || window.fullState
      ? () => false
      : (userId: string, eventId: string) =>
          scope.sentMembers.isRedundant(device, roomId, userId, eventId, scope.since);
  return { needed, atStart, isRedundant };
}

/** Remembers the member events a lazy-loading response carried in a room. */
export function recordSentMembers(
  scope: SyncScope,
  roomId: string,
  events: Iterable<StoredEvent>,
): void {
  if (!scope.filter.room?.state?.lazy_load_members) return;
  const members: [string, string][] = [];
  for (const { pdu, eventId } of events) {
    if (pdu.type === 'm.room.member' && typeof pdu.state_key === 'string') {
      members.push([pdu.state_key, eventId]);
    }
  }
  if (members.length > 0) {
    scope.sentMembers.record(deviceKeyOf(scope), roomId, members, scope.nextPosition);
  }
}
