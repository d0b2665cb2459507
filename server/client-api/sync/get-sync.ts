// GET /_matrix/client/v3/sync
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync
//
// `set_presence` (default online) updates the user's presence before the response is built
// (server/presence/presence-source.ts); `offline` leaves it alone. `use_state_after` (spec
// v1.16) gives each room `state_after`, the state at its timeline's end, instead of `state`.
import type { Context } from '../../context.ts';
import { receiptsSource, typingSource } from '../../ephemeral/ephemeral-sources.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { presenceSource, setPresenceFromSync } from '../../presence/presence-source.ts';
import { unreadCountsSource } from '../../push/unread-counts-source.ts';
import { syncWithLongPoll } from '../../sync/long-poll.ts';
import { resolveSyncFilter } from '../../sync/resolve-filter.ts';
import { parseSyncToken } from '../../sync/stream-token.ts';
import type { SyncSources } from '../../sync/sync-sources.ts';

/** Parts of the response other features provide: receipts, typing, unread counts, presence. */
export const SYNC_SOURCES: SyncSources = {
  ephemeral: [receiptsSource, typingSource],
  unreadCounts: unreadCountsSource,
  presence: presenceSource,
};

/** Longer waits are cut short: proxies drop idle requests after a minute or two anyway. */
export const MAX_TIMEOUT_MS = 5 * 60_000;

interface Query {
  filter?: string;
  since?: string;
  full_state?: boolean;
  set_presence?: 'offline' | 'online' | 'unavailable';
  timeout?: number;
  use_state_after?: boolean;
}

export const getSync = defineEndpoint<Context, unknown, Query>({
  method: 'GET',
  path: '/_matrix/client/v3/sync',
  schema: {
    querystring: {
      type: 'object',
      properties: {
        filter: { type: 'string' },
        since: { type: 'string' },
        full_state: { type: 'boolean' },
        set_presence: { enum: ['offline', 'online', 'unavailable'] },
        timeout: { type: 'integer' },
        use_state_after: { type: 'boolean' },
      },
    },
  },
  handler: async (ctx, request, reply) => {
    const user = await requireUser(ctx, request);
    const { query } = request;
    const since = query.since === undefined ? undefined : parseSyncToken(query.since);
    const filter = await resolveSyncFilter(ctx.db, user.userId, query.filter);
    const timeoutMs = Math.min(Math.max(0, query.timeout ?? 0), MAX_TIMEOUT_MS);
    // An initial or full-state sync returns at once; any other may wait up to its timeout.
    const waitMs = since === undefined || query.full_state === true ? 0 : timeoutMs;
    await setPresenceFromSync(ctx, user.userId, query.set_presence ?? 'online', waitMs);
    // The response is only written when we return, so a close before that is the client leaving.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    try {
      return await syncWithLongPoll(ctx, SYNC_SOURCES, {
        userId: user.userId,
        deviceId: user.deviceId,
        since,
        filter,
        fullState: query.full_state === true,
        stateAfter: query.use_state_after === true,
        timeoutMs,
        signal: gone.signal,
      });
    } finally {
      reply.raw.off('close', onClose);
    }
  },
});
