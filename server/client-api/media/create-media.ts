// POST /_matrix/media/v1/create
// https://spec.matrix.org/latest/client-server-api/#post_matrixmediav1create
//
// Reserves an mxc:// URI whose bytes come later with PUT upload, so a client can send the event
// naming it before the upload ends. Each user holds a limited number of such URIs at once.
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { limitExceeded, mediaUploadLimits, takeForUserOrThrow } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';
import { newMediaId } from '../../media/media-id.ts';
import { countPendingMediaOf, insertPendingMedia } from '../../storage/media.ts';

export const createMedia = defineEndpoint<Context>({
  method: 'POST',
  path: '/_matrix/media/v1/create',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const now = ctx.now();
    takeForUserOrThrow(mediaUploadLimits(ctx.rateLimits), user, request.ip, now);
    const pending = await countPendingMediaOf(ctx.db, user.userId, now);
    if (pending >= ctx.config.mediaMaxPendingUploads) {
      // Until one of them is uploaded or expires; a minute is a fair first retry.
      throw limitExceeded(60_000);
    }
    const mediaId = newMediaId();
    const expiresTs = now + ctx.config.mediaUnusedExpiryMs;
    await insertPendingMedia(ctx.db, {
      origin: ctx.config.serverName,
      mediaId,
      userId: user.userId,
      now,
      expiresTs,
    });
    return {
      content_uri: `mxc://${ctx.config.serverName}/${mediaId}`,
      unused_expires_at: expiresTs,
    };
  },
});
