// PUT /_matrix/media/v3/upload/{serverName}/{mediaId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixmediav3uploadservernamemediaid
//
// The bytes of a URI reserved with POST create, from the user who reserved it, once.

import {
  type MediaParams,
  mediaParams,
  type UploadQuery,
  uploadQuery,
} from '../../../schemas/requests/media.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, MatrixError, notFound } from '../../http/matrix-error.ts';
import { mediaUploadLimits, takeForUserOrThrow } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';
import { mediaKey } from '../../media/media-services.ts';
import { receiveUpload } from '../../media/receive-upload.ts';
import { releaseBlobs } from '../../media/release-blobs.ts';
import { completePendingMedia, getMedia } from '../../storage/media.ts';

const cannotOverwrite = () =>
  new MatrixError(409, 'M_CANNOT_OVERWRITE_MEDIA', 'This media already has its content');

export const uploadPendingMedia = defineEndpoint<Context, unknown, UploadQuery, MediaParams>({
  method: 'PUT',
  path: '/_matrix/media/v3/upload/:serverName/:mediaId',
  schema: { params: mediaParams, querystring: uploadQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { serverName, mediaId } = request.params;
    const now = ctx.now();
    const row =
      serverName === ctx.config.serverName
        ? await getMedia(ctx.db, serverName, mediaId)
        : undefined;
    if (!row || (row.cid === null && (row.unused_expires_ts ?? 0) <= now)) {
      throw notFound('No such media to upload to');
    }
    if (row.user_id !== user.userId) throw forbidden('This media was created by another user');
    if (row.cid !== null) throw cannotOverwrite();
    takeForUserOrThrow(mediaUploadLimits(ctx.rateLimits), user, request.ip, now);
    const upload = await receiveUpload(ctx, request);
    const stored = await completePendingMedia(ctx.db, {
      origin: serverName,
      mediaId,
      cid: upload.cid,
      size: upload.size,
      contentType: upload.contentType,
      uploadName: upload.uploadName,
      now: ctx.now(),
    });
    if (!stored) {
      // A concurrent upload won; ours may have left bytes no row names.
      await releaseBlobs(ctx, [upload.cid]);
      throw cannotOverwrite();
    }
    ctx.media.uploads.uploaded(mediaKey(serverName, mediaId));
    return {};
  },
});
