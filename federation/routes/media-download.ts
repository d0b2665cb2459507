// GET /_matrix/federation/v1/media/download/{mediaId}
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1mediadownloadmediaid
// GET /_matrix/federation/v1/media/thumbnail/{mediaId}
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1mediathumbnailmediaid
//
// Our own media for another server, as multipart/mixed: an (empty) metadata object, then the
// bytes with their Content-Type and Content-Disposition. Only local media: a server asks the
// media's own server, never a cache.
import type { FastifyReply } from 'fastify';
import {
  type FederationMediaParams,
  federationMediaParams,
  type ThumbnailQuery,
  thumbnailQuery,
} from '../../schemas/requests/media.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';
import {
  contentDisposition,
  DEFAULT_CONTENT_TYPE,
  isInlineSafe,
} from '../../server/media/content-headers.ts';
import { findServableMedia } from '../../server/media/find-media.ts';
import { findThumbnail } from '../../server/media/find-thumbnail.ts';
import { openBlob } from '../../server/media/send-media.ts';
import { parseThumbnailParams } from '../../server/media/thumbnails/thumbnail-sizes.ts';
import type { FederationContext } from '../federation-context.ts';
import {
  type MultipartMediaContent,
  writeMultipartMixed,
} from '../media/multipart-mixed-writer.ts';

/** How long another server's request waits for an asynchronous upload's bytes. */
const UPLOAD_WAIT_MS = 20_000;

export const getFederationMedia = defineEndpoint<
  FederationContext,
  unknown,
  unknown,
  FederationMediaParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/media/download/:mediaId',
  schema: { params: federationMediaParams },
  handler: async (ctx, request, reply) => {
    const media = await findServableMedia(ctx, ctx.config.serverName, request.params.mediaId, {
      timeoutMs: UPLOAD_WAIT_MS,
      allowRemote: false,
    });
    const type = media.content_type ?? DEFAULT_CONTENT_TYPE;
    return sendMultipart(reply, {
      contentType: type,
      contentDisposition: contentDisposition(
        isInlineSafe(type) ? 'inline' : 'attachment',
        media.upload_name,
      ),
      byteLength: media.size,
      bytes: await openBlob(ctx.media.blobs, media.cid, undefined, request),
    });
  },
});

export const getFederationThumbnail = defineEndpoint<
  FederationContext,
  unknown,
  ThumbnailQuery,
  FederationMediaParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/media/thumbnail/:mediaId',
  schema: { params: federationMediaParams, querystring: thumbnailQuery },
  handler: async (ctx, request, reply) => {
    const parsed = parseThumbnailParams(request.query as unknown as Record<string, unknown>);
    if (!parsed.ok) throw new MatrixError(400, parsed.errcode, parsed.error);
    const thumbnail = await findThumbnail(
      ctx,
      ctx.config.serverName,
      request.params.mediaId,
      parsed.request,
      { timeoutMs: UPLOAD_WAIT_MS, allowRemote: false },
    );
    const extension = thumbnail.contentType.split('/')[1] ?? 'bin';
    return sendMultipart(reply, {
      contentType: thumbnail.contentType,
      contentDisposition: `inline; filename="thumbnail.${extension}"`,
      byteLength: thumbnail.size,
      bytes: await openBlob(ctx.media.blobs, thumbnail.cid, undefined, request),
    });
  },
});

/** The spec's two parts: empty metadata, then the bytes with their headers. */
function sendMultipart(reply: FastifyReply, content: MultipartMediaContent): FastifyReply {
  const multipart = writeMultipartMixed({}, content);
  reply.header('content-type', multipart.contentType);
  if (multipart.contentLength !== undefined) {
    reply.header('content-length', String(multipart.contentLength));
  }
  return reply.send(multipart.body);
}
