// Presence in /sync: `set_presence` updating the syncing user, and the top-level `presence`
// section under token key `p` (presence.stream_id, a database position, safe because presence
// writes are serialised: presence-writer.ts).
//
// An initial sync gets the presence of the user and of everyone who shares a joined room with
// them, offline users left out (a client takes a user it has heard nothing of as offline). An
// incremental one gets whose presence changed after the token, and those the user came to share
// a room with after it who are not offline (the client had no reason to hear of them before).
// https://spec.matrix.org/latest/client-server-api/#presence
import type { EventFilter } from '../../schemas/requests/sync-filter.ts';
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import {
  getNewRoomMatesPresence,
  getPresenceChanges,
  getRoomMatesPresence,
  maxPresenceStreamId,
  type StoredPresence,
} from '../storage/presence.ts';
import { matchesEventFilter, typePatternMatches } from '../sync/event-filter.ts';
import type { PresenceQuery, PresenceSource } from '../sync/sync-sources.ts';
import { presenceAt, presenceContent } from './presence-state.ts';
import { publishTimedOutPresence, updatePresence } from './presence-writer.ts';

export const PRESENCE_STREAM = 'p';

export const presenceSource: PresenceSource = {
  key: PRESENCE_STREAM,
  async collect(ctx, query) {
    await publishTimeoutsOncePerSecond(ctx);
    const upTo = await ctx.sync.positions.current(PRESENCE_STREAM, () =>
      maxPresenceStreamId(ctx.db),
    );
    const position = Math.max(upTo, query.since ?? 0);
    if (!presenceWanted(query.filter)) return { events: [], position };
    const now = ctx.now();
    const records = await loadPresence(ctx, query, upTo);
    const events = records
      .filter((record) => matchesEventFilter(query.filter, presenceFacts(record)))
      .filter((record) => query.since !== undefined || presenceAt(record, now).state !== 'offline')
      .map((record) => presenceEvent(record, now));
    const limit = query.filter?.limit;
    return { events: limit === undefined ? events : events.slice(0, limit), position };
  },
};

// Timeouts are minutes long (presence-state.ts): looking for them once a second is exact enough,
// and spares the read in every /sync when hundreds of long-polls wake at once. Per database handle.
const lastTimeoutCheck = new WeakMap<object, number>();
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

async function publishTimeoutsOncePerSecond(ctx: Context): Promise<void> {
  const now = ctx.now();
  const last = lastTimeoutCheck.get(ctx.db);
  if (last !== undefined && now >= last && now - last < TIMEOUT_CHECK_INTERVAL_MS) return;
  lastTimeoutCheck.set(ctx.db, now);
  await publishTimedOutPresence(ctx);
}

/**
 * `set_presence` of a /sync (default online): online or unavailable updates the user, who counts
 * as syncing for as long as the request may wait; offline leaves their presence alone.
 */
export async function setPresenceFromSync(
  ctx: Context,
  userId: string,
  setPresence: 'online' | 'unavailable' | 'offline',
  waitMs: number,
): Promise<void> {
  if (setPresence === 'offline') return;
  await updatePresence(ctx, userId, {
    kind: 'sync',
    state: setPresence,
    syncingUntilTs: ctx.now() + waitMs,
  });
}

export function presenceEvent(record: StoredPresence, now: number): JsonObject {
  return { type: 'm.presence', sender: record.userId, content: presenceContent(record, now) };
}

async function loadPresence(
  ctx: Context,
  query: PresenceQuery,
  upTo: number,
): Promise<StoredPresence[]> {
  const { userId, since, sinceEvents } = query;
  if (since === undefined) return getRoomMatesPresence(ctx.db, userId);
  // The stream has not moved since the token: no presence changed (new room mates still count).
  const changed = upTo <= since ? [] : await getPresenceChanges(ctx.db, { userId, since, upTo });
  const met =
    sinceEvents === undefined || query.roomMatesMayHaveChanged === false
      ? []
      : await getNewRoomMatesPresence(ctx.db, userId, sinceEvents);
  // Both read current rows: one event per user, in stream order.
  const byUser = new Map([...changed, ...met].map((record) => [record.userId, record]));
  return [...byUser.values()].sort((a, b) => a.streamId - b.streamId);
}

function presenceFacts(record: StoredPresence) {
  return { type: 'm.presence', sender: record.userId };
}

/** False when the filter rules out every presence event, so nothing needs reading. */
function presenceWanted(filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.limit === 0 || filter.senders?.length === 0) return false;
  if (filter.not_types?.some((pattern) => typePatternMatches(pattern, 'm.presence'))) return false;
  return !filter.types || filter.types.some((pattern) => typePatternMatches(pattern, 'm.presence'));
}
