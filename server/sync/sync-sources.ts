// Hooks for the parts of a /sync response that other features own. A source is handed to the
// /sync endpoint (client-api/sync/get-sync.ts lists them); it reads its own storage, keeps its own
// stream position under a token key of its own, and calls `ctx.sync.notifier.notify()` when it
// changes so that waiting syncs wake up.

import type { EventFilter, RoomEventFilter } from '../../schemas/requests/sync-filter.ts';
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';

export interface EphemeralQuery {
  readonly userId: string;
  /** The rooms the user is joined to that the response may include (the room filter applied). */
  readonly roomIds: readonly string[];
  /** The position the client has seen, from its token; undefined for an initial sync. */
  readonly since: number | undefined;
  /** The position this response covers, from currentPosition(). */
  readonly upTo: number;
  readonly filter: RoomEventFilter | undefined;
}

/** Receipts, typing: events under `rooms.join.<room>.ephemeral`. */
export interface EphemeralSource {
  /**
   * The token key of the stream: lowercase letters, not `e` (events) or `a` (account data);
   * say `r` for receipts and `t` for typing.
   */
  readonly key: string;
  /**
   * The position a response covers. It must be safe: nothing at or below it may become visible
   * later (see rooms/event-stream.ts for how the events stream guarantees that).
   */
  currentPosition(ctx: Context): Promise<number> | number;
  /** Events by room id for the rooms that have any; rooms without news are left out. */
  collect(ctx: Context, query: EphemeralQuery): Promise<Map<string, JsonObject[]>>;
}

export interface UnreadCounts {
  readonly notification_count: number;
  readonly highlight_count: number;
}

/**
 * A joined room's counts. With per-thread counts asked for, the room's own counts are the main
 * timeline's and `threads` has the others by thread root (threads with nothing unread left out).
 */
export interface RoomUnreadCounts extends UnreadCounts {
  readonly threads?: Readonly<Record<string, UnreadCounts>>;
}

export interface UnreadCountsQuery {
  readonly userId: string;
  readonly roomIds: readonly string[];
  /** The events stream position the response covers: later events do not count yet. */
  readonly upTo: number;
  /** The timeline filter's `unread_thread_notifications`. */
  readonly perThread: boolean;
}

/**
 * `unread_notifications` (and `unread_thread_notifications`) per joined room; rooms with nothing
 * unread may be left out. Without a source every room reports zeros.
 */
export interface UnreadCountsSource {
  collect(ctx: Context, query: UnreadCountsQuery): Promise<Map<string, RoomUnreadCounts>>;
}

export interface PresenceQuery {
  readonly userId: string;
  /** The presence position the client has seen, from its token; undefined for an initial sync. */
  readonly since: number | undefined;
  /** The token's events stream position: who came to share a room with the user after it. */
  readonly sinceEvents: number | undefined;
  /**
   * False when no membership event happened in the user's rooms after `sinceEvents` (up to the
   * response's events position): nobody new shares a room with the user.
   */
  readonly roomMatesMayHaveChanged?: boolean;
  readonly filter: EventFilter | undefined;
}

/** m.presence events of the user and of those who share a room with them: top-level `presence`. */
export interface PresenceSource {
  /** The token key of the stream: `p`. */
  readonly key: string;
  /** The events, and the position they cover (safe, as an ephemeral source's is). */
  collect(
    ctx: Context,
    query: PresenceQuery,
  ): Promise<{ readonly events: JsonObject[]; readonly position: number }>;
}

export interface SyncSources {
  readonly ephemeral: readonly EphemeralSource[];
  readonly presence?: PresenceSource | undefined;
  readonly unreadCounts?: UnreadCountsSource | undefined;
}
