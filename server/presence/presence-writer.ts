// Every presence write: updates from PUT /presence and /sync's set_presence, and publishing the
// timeouts (presence-state.ts) that caught up with users who stopped syncing.
//
// Writes are serialised under one lock, as receipts' are (ephemeral/set-receipt.ts): a stream
// position is taken when its statement runs, so the highest position is only safe for /sync
// tokens if no lower one can still commit. Most syncs change nothing worth writing; they decide
// that on an unlocked read and never take the lock.
//
// Timeouts are published by a /sync (publishTimedOutPresence, one indexed read, at most once a
// second: presence-source.ts), not by a timer: the process keeps no per-user state, and every user
// still online syncs in a loop, so a timeout reaches the stream within one long-poll of someone.
// A user whose presence changed wakes the waiting syncs of everyone in their rooms.
import { performance } from 'node:perf_hooks';
import type { Context } from '../context.ts';
import {
  getPresence,
  listTimedOutPresence,
  type PresenceRecord,
  savePresence,
} from '../storage/presence.ts';
import { listRoomsWithMembership } from '../storage/room-members.ts';
import {
  applyPresenceUpdate,
  cutoffsAt,
  offlinePresence,
  type PresenceUpdate,
  timedOut,
  writeNeeded,
} from './presence-state.ts';

/** The lock key that serialises presence writes (room ids start with `!`, so none collides). */
const PRESENCE_LOCK = 'presence';

/**
 * Told whose presence others now see changed (the federation sender passes on local users'). An
 * optional field of the context, so contexts without it work unchanged.
 */
export interface PresenceListener {
  readonly onPresencePublished?: (userIds: readonly string[]) => void;
}

type PresenceContext = Context & PresenceListener;

/** Applies the update; returns whether others will see a change. */
export async function updatePresence(
  ctx: PresenceContext,
  userId: string,
  update: PresenceUpdate,
): Promise<boolean> {
  const now = ctx.now();
  const decide = (before: PresenceRecord | undefined) => {
    const after = applyPresenceUpdate(before ?? offlinePresence(userId), update, now);
    return { after, write: writeNeeded(before, after) };
  };
  if (decide(await getPresence(ctx.db, userId)).write === 'none') return false;
  const published = await ctx.roomLocks.run(PRESENCE_LOCK, async () => {
    const { after, write } = decide(await getPresence(ctx.db, userId));
    if (write !== 'none') await savePresence(ctx.db, after, { publish: write === 'publish' });
    return write === 'publish';
  });
  if (published) await wakeRoomMates(ctx, [userId]);
  return published;
}

/** Publishes the timeouts that caught up with users; returns whose presence changed. */
export async function publishTimedOutPresence(ctx: PresenceContext): Promise<string[]> {
  const now = ctx.now();
  const cutoffs = cutoffsAt(now);
  const candidates = await listTimedOutPresence(ctx.db, cutoffs);
  if (candidates.length === 0) return [];
  const changed = await ctx.roomLocks.run(PRESENCE_LOCK, async () => {
    const userIds: string[] = [];
    // Read again under the lock: a sync may have moved a candidate's timestamps meanwhile.
    for (const record of await listTimedOutPresence(ctx.db, cutoffs)) {
      const published = timedOut(record, now);
      if (!published) continue;
      await savePresence(ctx.db, published, { publish: true });
      userIds.push(record.userId);
    }
    return userIds;
  });
  if (changed.length > 0) await wakeRoomMates(ctx, changed);
  return changed;
}

/**
 * Stores presence another server sent for its users (federation m.presence), whole records as
 * that server decided them; returns whose presence others will see changed.
 */
export async function publishRemotePresence(
  ctx: PresenceContext,
  records: readonly PresenceRecord[],
): Promise<string[]> {
  if (records.length === 0) return [];
  const published = await ctx.roomLocks.run(PRESENCE_LOCK, async () => {
    const userIds: string[] = [];
    for (const record of records) {
      const write = writeNeeded(await getPresence(ctx.db, record.userId), record);
      if (write !== 'none') await savePresence(ctx.db, record, { publish: write === 'publish' });
      if (write === 'publish') userIds.push(record.userId);
    }
    return userIds;
  });
  if (published.length > 0) await wakeRoomMates(ctx, published);
  return published;
}

// Waking room mates is coalesced over a short window: when many users come online at once (a
// server start, a network back after an outage), each of their room mates' long-polls would
// otherwise be woken, rebuilt and answered once per user, and every answer brings the client
// back for another sync: a burst of N users in a room of M waiters cost N x M syncs. Within the
// window they cost one per waiter, its answer holding all N updates. The update itself is
// stored at once; only the wake waits, so a sync that starts meanwhile already sees it.
// While /sync responses are queued for building (build-queue.ts: a wake of many long-polls is
// still being answered), presence waits longer, up to PRESENCE_WAKE_MAX_DELAY_MS: each wake it
// adds would send every waiter round again, and a busy server would only fall further behind.
const PRESENCE_WAKE_WINDOW_MS = 250;
const PRESENCE_WAKE_MAX_DELAY_MS = 10_000;

interface PendingWake {
  readonly userIds: Set<string>;
}

const pendingWakes = new WeakMap<object, PendingWake>();

async function wakeRoomMates(ctx: PresenceContext, userIds: readonly string[]): Promise<void> {
  ctx.onPresencePublished?.(userIds);
  // Stored now, notified later: syncs that start meanwhile read the stream's position again.
  ctx.sync.positions.changed();
  const notifier = ctx.sync.notifier;
  const pending = pendingWakes.get(notifier);
  if (pending) {
    for (const userId of userIds) pending.userIds.add(userId);
    return;
  }
  const wake: PendingWake = { userIds: new Set(userIds) };
  pendingWakes.set(notifier, wake);
  const since = performance.now();
  const fire = () => {
    const busy = ctx.sync.builds.queued > 0;
    if (busy && performance.now() - since < PRESENCE_WAKE_MAX_DELAY_MS) {
      setTimeout(fire, PRESENCE_WAKE_WINDOW_MS).unref();
      return;
    }
    pendingWakes.delete(notifier);
    notifyRoomMates(ctx, [...wake.userIds]).catch((err) =>
      ctx.logger.warn({ err }, 'presence: waking room mates failed'),
    );
  };
  setTimeout(fire, PRESENCE_WAKE_WINDOW_MS).unref();
}

async function notifyRoomMates(ctx: PresenceContext, userIds: readonly string[]): Promise<void> {
  const roomIds = new Set<string>();
  for (const userId of userIds) {
    for (const roomId of await listRoomsWithMembership(ctx.db, userId, 'join')) roomIds.add(roomId);
  }
  ctx.sync.notifier.notify({ userIds, roomIds: [...roomIds] });
}
