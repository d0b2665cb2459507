// Retention: local media not downloaded for media_retention_local_days, cached remote media not
// downloaded for media_retention_remote_days, and asynchronous upload URIs whose bytes never came
// are deleted, a batch at a time, on a timer. Without the settings only expired URIs go.
import type { Context } from '../context.ts';
import { expiredMedia } from '../storage/media.ts';
import { deleteMedia } from './delete-media.ts';

const DAY_MS = 86_400_000;
const BATCH = 500;

/** One pass; returns how many media were deleted. */
export async function applyMediaRetention(
  ctx: Pick<Context, 'db' | 'media' | 'logger' | 'config' | 'now'>,
): Promise<number> {
  const now = ctx.now();
  const { mediaRetentionLocalDays: local, mediaRetentionRemoteDays: remote } = ctx.config;
  let deleted = 0;
  for (;;) {
    const batch = await expiredMedia(ctx.db, {
      serverName: ctx.config.serverName,
      localBefore: local === undefined ? undefined : now - local * DAY_MS,
      remoteBefore: remote === undefined ? undefined : now - remote * DAY_MS,
      now,
      limit: BATCH,
    });
    for (const media of batch) {
      if (await deleteMedia(ctx, media.origin, media.media_id)) deleted += 1;
    }
    if (batch.length < BATCH) break;
  }
  if (deleted > 0) ctx.logger.info({ deleted }, 'media retention deleted media');
  return deleted;
}

/** Runs applyMediaRetention every `intervalMs`; returns the function that stops it. */
export function scheduleMediaRetention(
  ctx: Pick<Context, 'db' | 'media' | 'logger' | 'config' | 'now'>,
  intervalMs = 3_600_000,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    applyMediaRetention(ctx)
      .catch((err) => ctx.logger.warn({ err }, 'media retention pass failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
