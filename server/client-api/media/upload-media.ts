// POST /_matrix/media/v3/upload
// https://spec.matrix.org/latest/client-server-api/#post_matrixmediav3upload
//
// The body is the file itself (any Content-Type), streamed into the blob store; the reply is the
// new mxc:// URI. The same bytes uploaded twice get two URIs but are stored once (same CID).

import { type UploadQuery, uploadQuery } from '../../../schemas/requests/media.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { mediaUploadLimits, takeForUserOrThrow } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';
import { newMediaId } from '../../media/media-id.ts';
import { receiveUpload } from '../../media/receive-upload.ts';
import { releaseBlobs } from '../../media/release-blobs.ts';
import { insertLocalMedia } from '../../storage/media.ts';

export const uploadMedia = defineEndpoint<Context, unknown, UploadQuery>({
  method: 'POST',
  path: '/_matrix/media/v3/upload',
  schema: { querystring: uploadQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    takeForUserOrThrow(mediaUploadLimits(ctx.rateLimits), user, request.ip, ctx.now());
    const upload = await receiveUpload(ctx, request);
    const mediaId = newMediaId();
    try {
      await insertLocalMedia(ctx.db, {
        origin: ctx.config.serverName,
        mediaId,
        cid: upload.cid,
        size: upload.size,
        contentType: upload.contentType,
        uploadName: upload.uploadName,
        userId: user.userId,
        now: ctx.now(),
      });
    } catch (err) {
      await releaseBlobs(ctx, [upload.cid]);
      throw err;
    }
    request.log.debug({ mediaId, cid: upload.cid, size: upload.size }, 'media uploaded');
    return { content_uri: `mxc://${ctx.config.serverName}/${mediaId}` };
  },
});
