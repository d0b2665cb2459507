// Builds one /sync response from the token's positions up to the current safe positions: rooms
// sorted into sections by the user's membership (classify-rooms.ts), each room built by its own
// step, account data, ephemeral events from their sources, and the next token.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync
import type { SyncFilter } from '../../schemas/requests/sync-filter.ts';
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { DEVICE_LISTS_STREAM, loadDeviceListUpdates } from '../e2ee/device-list-section.ts';
import { oneTimeKeyCounts } from '../e2ee/one-time-key-counts.ts';
import { deviceListPosition } from '../storage/device-lists.ts';
import { unusedFallbackKeyTypes } from '../storage/e2e-keys.ts';
import { type AccountDataUpdate, loadAccountDataUpdate } from './account-data-section.ts';
import { classifyRooms } from './classify-rooms.ts';
import { collectEphemeral } from './ephemeral-section.ts';
import { allowsRoom } from './event-filter.ts';
import { loadIgnoredUsers } from './ignored-users.ts';
import { buildJoinedRoom } from './joined-room.ts';
import { buildLeftRoom } from './left-room.ts';
import { loadRoomMemberships } from './room-memberships.ts';
import {
  ACCOUNT_DATA_STREAM,
  EVENTS_STREAM,
  formatSyncToken,
  positionOf,
  type SyncPositions,
} from './stream-token.ts';
import { loadStrippedState } from './stripped-state.ts';
import type { SyncScope } from './sync-scope.ts';
import type { RoomUnreadCounts, SyncSources } from './sync-sources.ts';
import {
  loadToDeviceSection,
  TO_DEVICE_STREAM,
  type ToDeviceSection,
} from './to-device-section.ts';

export interface SyncRequest {
  readonly userId: string;
  readonly deviceId: string;
  /** Positions of the `since` token; undefined for an initial sync. */
  readonly since: SyncPositions | undefined;
  readonly filter: SyncFilter;
  readonly fullState: boolean;
  /** `use_state_after`: rooms get `state_after` (state at the timeline's end), not `state`. */
  readonly stateAfter?: boolean | undefined;
}

export interface SyncResult {
  readonly body: JsonObject;
  /** Nothing for the client: a long-poll may wait for more. */
  readonly empty: boolean;
  /** Rooms the user is joined, invited or knocking in: whose events would concern them. */
  readonly watchedRoomIds: string[];
  /** With an empty result: its user-level sections, for the rebuild after a wake (long-poll.ts). */
  readonly reusable?: UserSections;
}

/**
 * The sections of a response that depend on the user and device alone, not on the rooms'
 * events: when a long-poll wakes for a room event, the rebuild may take them from the empty
 * build before the wait instead of reading them again (six queries of about twenty). Their
 * token positions then stay where that build left them, so whatever arrived meanwhile is sent
 * by the client's next /sync, which follows at once: the rebuild carries the room's news.
 */
export interface UserSections {
  readonly ignoredUsers: ReadonlySet<string>;
  readonly accountData: AccountDataUpdate;
  readonly toDevice: ToDeviceSection;
  readonly oneTimeKeyCounts: Record<string, number>;
  readonly fallbackKeyTypes: string[];
}

const NO_COUNTS = { notification_count: 0, highlight_count: 0 };
/** Joined rooms built at once: enough to overlap round trips, few enough to leave the pool room. */
const JOINED_ROOM_CONCURRENCY = 4;

/** `fn` over `items`, at most `limit` at a time; results in the items' order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
const WATCHED = new Set(['join', 'invite', 'knock']);

export async function buildSyncResponse(
  ctx: Context,
  sources: SyncSources,
  request: SyncRequest,
  reuse?: UserSections,
): Promise<SyncResult> {
  const { db } = ctx;
  const { since, filter, userId } = request;
  const sinceEvents = since && positionOf(since, EVENTS_STREAM);
  const upTo = await ctx.eventStream.currentPosition(db);
  const scope: SyncScope = {
    db,
    now: ctx.now(),
    userId,
    deviceId: request.deviceId,
    filter,
    since: sinceEvents,
    upTo,
    nextPosition: Math.max(upTo, sinceEvents ?? 0),
    fullState: request.fullState,
    stateAfter: request.stateAfter === true,
    ignoredUsers: reuse?.ignoredUsers ?? (await loadIgnoredUsers(db, userId)),
    sentMembers: ctx.sync.sentMembers,
    roomVersions: ctx.sync.roomVersions,
  };

  const memberships = await loadRoomMemberships(db, userId, sinceEvents, upTo);
  const placements = classifyRooms(memberships, {
    initial: since === undefined,
    fullState: request.fullState,
    includeLeave: filter.room?.include_leave === true,
  }).filter((placement) => allowsRoom(filter.room, placement.room.roomId));
  // Rooms with events since the token, and whether any of the user's rooms had a membership
  // event: without one nobody came to share a room with the user or left, and the device-list
  // and presence reads of new room mates have nothing to find (the common wake-up: a message).
  const news =
    sinceEvents === undefined
      ? undefined
      : await ctx.sync.roomsWithNews.between(db, sinceEvents, upTo);
  const roomMatesMayHaveChanged =
    news === undefined || memberships.some((room) => news.get(room.roomId) === true);
  const accountData =
    reuse?.accountData ??
    (await loadAccountDataUpdate(
      db,
      userId,
      since && positionOf(since, ACCOUNT_DATA_STREAM),
      filter,
    ));
  const toDevice =
    reuse?.toDevice ??
    (await loadToDeviceSection(
      db,
      userId,
      request.deviceId,
      since && positionOf(since, TO_DEVICE_STREAM),
    ));
  const listsUpTo = await ctx.sync.positions.current(DEVICE_LISTS_STREAM, () =>
    deviceListPosition(db),
  );
  const deviceLists =
    since === undefined
      ? undefined
      : await loadDeviceListUpdates(db, userId, {
          // An empty events range when no membership changed: key changes only.
          eventsAfter: roomMatesMayHaveChanged ? (sinceEvents ?? 0) : upTo,
          eventsUpTo: upTo,
          listsAfter: positionOf(since, DEVICE_LISTS_STREAM),
          listsUpTo,
        });
  const positions: Record<string, number> = {
    [EVENTS_STREAM]: scope.nextPosition,
    [ACCOUNT_DATA_STREAM]: accountData.position,
    [TO_DEVICE_STREAM]: toDevice.position,
    [DEVICE_LISTS_STREAM]: Math.max(listsUpTo, since ? positionOf(since, DEVICE_LISTS_STREAM) : 0),
  };

  const joinedIds = placements.flatMap((p) => (p.section === 'join' ? [p.room.roomId] : []));
  const ephemeral = await collectEphemeral(ctx, sources, {
    userId,
    joinedRoomIds: joinedIds,
    since,
    filter,
  });
  Object.assign(positions, ephemeral.positions);
  const presenceSource = sources.presence;
  const presence = presenceSource
    ? await presenceSource.collect(ctx, {
        userId,
        since: since && positionOf(since, presenceSource.key),
        sinceEvents,
        roomMatesMayHaveChanged,
        filter: filter.presence,
      })
    : undefined;
  if (presenceSource && presence) positions[presenceSource.key] = presence.position;
  const perThread = filter.room?.timeline?.unread_thread_notifications === true;
  const unread: Map<string, RoomUnreadCounts> = sources.unreadCounts
    ? await sources.unreadCounts.collect(ctx, { userId, roomIds: joinedIds, upTo, perThread })
    : new Map();
  const noCounts: RoomUnreadCounts = perThread ? { ...NO_COUNTS, threads: {} } : NO_COUNTS;
  // In an incremental sync most joined rooms have nothing new; only these need a look.
  const active = request.fullState ? undefined : news;

  const rooms: Record<'join' | 'invite' | 'knock' | 'leave', JsonObject> = {
    join: {},
    invite: {},
    knock: {},
    leave: {},
  };
  // Joined rooms are built a few at a time: each is several round trips, and an initial sync of
  // hundreds of rooms spent its time waiting on them one after another (bench workload 3).
  const joinedBuilds: { roomId: string; build: () => Promise<JsonObject | undefined> }[] = [];
  for (const placement of placements) {
    const { roomId } = placement.room;
    const roomAccountData = accountData.rooms.get(roomId) ?? [];
    if (placement.section === 'join') {
      const extras = {
        accountData: roomAccountData,
        ephemeral: ephemeral.byRoom.get(roomId) ?? [],
        // Counts change with new events or the user's receipts, which bring the room in anyway.
        unread: unread.get(roomId) ?? noCounts,
      };
      const mayHaveNews =
        !active ||
        placement.newlyJoined ||
        active.has(roomId) ||
        extras.accountData.length > 0 ||
        extras.ephemeral.length > 0;
      if (!mayHaveNews) continue;
      joinedBuilds.push({
        roomId,
        build: () => buildJoinedRoom(scope, placement.room, placement.newlyJoined, extras),
      });
    } else if (placement.section === 'leave') {
      const room = await buildLeftRoom(scope, placement.room, roomAccountData);
      if (room) rooms.leave[roomId] = room;
    } else {
      const events = await loadStrippedState(db, roomId, placement.room.current.eventId, scope.now);
      // Invites from ignored users are not sent (ignored-users.ts).
      const inviter = events?.at(-1)?.sender;
      if (placement.section === 'invite' && scope.ignoredUsers.has(String(inviter))) continue;
      const key = placement.section === 'invite' ? 'invite_state' : 'knock_state';
      if (events) rooms[placement.section][roomId] = { [key]: { events } };
    }
  }

  const built = await mapConcurrently(joinedBuilds, JOINED_ROOM_CONCURRENCY, (r) => r.build());
  for (const [i, { roomId }] of joinedBuilds.entries()) {
    const room = built[i];
    if (room) rooms.join[roomId] = room;
  }

  const empty =
    accountData.global.length === 0 &&
    toDevice.events.length === 0 &&
    (deviceLists?.changed.length ?? 0) === 0 &&
    (deviceLists?.left.length ?? 0) === 0 &&
    (presence?.events.length ?? 0) === 0 &&
    Object.values(rooms).every((section) => Object.keys(section).length === 0);
  const keyCounts =
    reuse?.oneTimeKeyCounts ?? (await oneTimeKeyCounts(db, userId, request.deviceId));
  const fallbackKeyTypes =
    reuse?.fallbackKeyTypes ?? (await unusedFallbackKeyTypes(db, userId, request.deviceId));
  return {
    body: {
      next_batch: formatSyncToken(positions),
      rooms,
      account_data: { events: accountData.global },
      presence: { events: presence?.events ?? [] },
      to_device: { events: toDevice.events },
      device_lists: { changed: deviceLists?.changed ?? [], left: deviceLists?.left ?? [] },
      device_one_time_keys_count: keyCounts,
      device_unused_fallback_key_types: fallbackKeyTypes,
    },
    empty,
    ...(empty
      ? {
          reusable: {
            ignoredUsers: scope.ignoredUsers,
            accountData,
            toDevice,
            oneTimeKeyCounts: keyCounts,
            fallbackKeyTypes,
          },
        }
      : {}),
    watchedRoomIds: memberships
      .filter((room) => WATCHED.has(room.current.membership ?? ''))
      .map((room) => room.roomId),
  };
}
