// The per-process state of /sync, built once at start and reached through the context: the
// notifier that long-polling requests wait on, the lazy-loading record of members sent, and the
// room versions already looked up.
import { EventStream } from '../rooms/event-stream.ts';
import { RoomEventHub } from '../rooms/room-events.ts';
import { SyncBuildQueue } from './build-queue.ts';
import { RoomVersionCache } from './joined-reader.ts';
import { SyncNotifier } from './notifier.ts';
import { RoomsWithNews } from './rooms-with-news.ts';
import { SentMembersCache } from './sent-members-cache.ts';
import { StreamPositions } from './stream-positions.ts';

export interface SyncServices {
  /** Other streams (account data, receipts, typing, to-device) call notifier.notify(). */
  readonly notifier: SyncNotifier;
  readonly sentMembers: SentMembersCache;
  readonly roomVersions: RoomVersionCache;
  /** Responses are built a few at a time, users taking turns. */
  readonly builds: SyncBuildQueue;
  /** Positions of the streams besides events, kept while nothing changes. */
  readonly positions: StreamPositions;
  /** Rooms with events in a range of positions, read once for all the syncs asking. */
  readonly roomsWithNews: RoomsWithNews;
}

/**
 * Responses built at once. PostgreSQL's pool has 10 connections and a build uses one at a time:
 * this leaves the rest to other requests. PGlite runs one statement at a time whatever this is.
 */
const SYNC_BUILDS_AT_ONCE = 6;

export function createSyncServices(hub: RoomEventHub, stream: EventStream): SyncServices {
  const notifier = new SyncNotifier(hub, stream);
  return {
    notifier,
    positions: new StreamPositions(notifier),
    roomsWithNews: new RoomsWithNews(),
    sentMembers: new SentMembersCache(),
    roomVersions: new RoomVersionCache(),
    builds: new SyncBuildQueue(SYNC_BUILDS_AT_ONCE),
  };
}

/** The hub persisted events are announced on, the stream positions, and /sync on top of them. */
export function createEventServices(): {
  roomEvents: RoomEventHub;
  eventStream: EventStream;
  sync: SyncServices;
} {
  const roomEvents = new RoomEventHub();
  const eventStream = new EventStream();
  return { roomEvents, eventStream, sync: createSyncServices(roomEvents, eventStream) };
}
