// The long-poll around a sync: build the response; if it has nothing for the client and the
// client asked to wait, wait on the notifier for something that concerns the user, then build
// again, until the timeout. An initial or full-state sync returns at once, as Synapse's does.
//
// The notifier mark is taken before building, so a wake between the build's reads and the wait
// is not lost (notifier.ts); a wake that turns out to bring nothing for the client (an event the
// filter drops) is followed by another wait for the time left.
//
// A room event wakes every member's long-poll at once, so the rebuild after a wake is the hot
// path of a busy room: it takes the user's own sections from the build before the wait
// (build-sync-response.ts, UserSections) and reads only what rooms may have changed. Builds take
// turns (build-queue.ts); the wait holds none.
import { performance } from 'node:perf_hooks';
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { buildSyncResponse, type SyncRequest, type UserSections } from './build-sync-response.ts';
import type { SyncSources } from './sync-sources.ts';

export interface LongPollRequest extends SyncRequest {
  readonly timeoutMs: number;
  /** Aborted when the client goes away. */
  readonly signal?: AbortSignal | undefined;
}

export async function syncWithLongPoll(
  ctx: Context,
  sources: SyncSources,
  request: LongPollRequest,
): Promise<JsonObject> {
  const { notifier } = ctx.sync;
  const deadline = performance.now() + request.timeoutMs;
  let reuse: UserSections | undefined;
  for (;;) {
    const mark = notifier.mark();
    const built = await ctx.sync.builds.run(request.userId, async () => {
      // A client that went away while its build waited for a turn is not built for.
      if (request.signal?.aborted) return undefined;
      const first = await buildSyncResponse(ctx, sources, request, reuse);
      // Nothing in the rooms: the wake was for the user's own streams (to-device, account
      // data), which the rebuild took from before the wait. Read everything.
      return reuse !== undefined && first.empty
        ? await buildSyncResponse(ctx, sources, request)
        : first;
    });
    if (built === undefined) return {};
    const result = built;
    const remaining = deadline - performance.now();
    if (!result.empty || request.since === undefined || request.fullState || remaining <= 0) {
      return result.body;
    }
    const outcome = await notifier.wait({
      userId: request.userId,
      roomIds: result.watchedRoomIds,
      since: mark,
      timeoutMs: remaining,
      signal: request.signal,
    });
    if (outcome !== 'woken') return result.body;
    reuse = result.reusable;
  }
}
