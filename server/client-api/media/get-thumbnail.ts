// GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mediathumbnailservernamemediaid
// GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId} (deprecated, unauthenticated)
import type { FastifyReply } from 'fastify';
import {
  type MediaParams,
  mediaParams,
  type ThumbnailQuery,
  thumbnailQuery,
} from '../../../schemas/requests/media.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint, type EndpointRequest } from '../../http/endpoint.ts';
import { MatrixError, notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { findThumbnail } from '../../media/find-thumbnail.ts';
import { sendMedia } from '../../media/send-media.ts';
import { parseThumbnailParams } from '../../media/thumbnails/thumbnail-sizes.ts';

async function thumbnail(
  ctx: Context,
  request: EndpointRequest<unknown, ThumbnailQuery, MediaParams>,
  reply: FastifyReply,
  allowRemote: boolean,
): Promise<FastifyReply> {
  const parsed = parseThumbnailParams(request.query as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new MatrixError(400, parsed.errcode, parsed.error);
  const { serverName, mediaId } = request.params;
  const found = await findThumbnail(ctx, serverName, mediaId, parsed.request, {
    timeoutMs: request.query.timeout_ms,
    allowRemote,
  });
  const extension = found.contentType.split('/')[1] ?? 'bin';
  return sendMedia(ctx.media.blobs, request, reply, {
    cid: found.cid,
    size: found.size,
    contentType: found.contentType,
    fileName: `thumbnail.${extension}`,
    forceInline: true,
  });
}

export const thumbnailEndpoints = [
  defineEndpoint<Context, unknown, ThumbnailQuery, MediaParams>({
    method: 'GET',
    path: '/_matrix/client/v1/media/thumbnail/:serverName/:mediaId',
    schema: { params: mediaParams, querystring: thumbnailQuery },
    handler: async (ctx, request, reply) => {
      await requireUser(ctx, request);
      return thumbnail(ctx, request, reply, true);
    },
  }),
  defineEndpoint<Context, unknown, ThumbnailQuery, MediaParams>({
    method: 'GET',
    path: '/_matrix/media/v3/thumbnail/:serverName/:mediaId',
    schema: { params: mediaParams, querystring: thumbnailQuery },
    handler: async (ctx, request, reply) => {
      if (!ctx.config.mediaLegacyDownload) throw notFound('Use /_matrix/client/v1/media/thumbnail');
      return thumbnail(ctx, request, reply, request.query.allow_remote);
    },
  }),
];
