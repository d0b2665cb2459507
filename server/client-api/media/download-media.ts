// GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}]
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mediadownloadservernamemediaid
// GET /_matrix/media/v3/download/{serverName}/{mediaId}[/{fileName}] (deprecated, unauthenticated)
// https://spec.matrix.org/latest/client-server-api/#get_matrixmediav3downloadservernamemediaid
//
// The authenticated endpoints need an access token; the legacy ones serve only while
// `media_legacy_download` is on (the spec asks servers to phase them out).
import type { FastifyReply } from 'fastify';
import {
  type DownloadQuery,
  downloadQuery,
  type MediaParams,
  mediaParams,
  type NamedMediaParams,
  namedMediaParams,
} from '../../../schemas/requests/media.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint, type EndpointRequest } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { findServableMedia } from '../../media/find-media.ts';
import { sendMedia } from '../../media/send-media.ts';
import { touchMedia } from '../../storage/media.ts';

async function download(
  ctx: Context,
  request: EndpointRequest<unknown, DownloadQuery, MediaParams & { fileName?: string }>,
  reply: FastifyReply,
  allowRemote: boolean,
): Promise<FastifyReply> {
  const { serverName, mediaId, fileName } = request.params;
  const media = await findServableMedia(ctx, serverName, mediaId, {
    timeoutMs: request.query.timeout_ms,
    allowRemote,
  });
  await touchMedia(ctx.db, media, ctx.now());
  return sendMedia(ctx.media.blobs, request, reply, {
    cid: media.cid,
    size: media.size,
    contentType: media.content_type,
    fileName: fileName ?? media.upload_name,
  });
}

const authenticated = {
  async handler(
    ctx: Context,
    request: EndpointRequest<unknown, DownloadQuery, MediaParams & { fileName?: string }>,
    reply: FastifyReply,
  ) {
    await requireUser(ctx, request);
    return download(ctx, request, reply, true);
  },
};

const legacy = {
  async handler(
    ctx: Context,
    request: EndpointRequest<unknown, DownloadQuery, MediaParams & { fileName?: string }>,
    reply: FastifyReply,
  ) {
    if (!ctx.config.mediaLegacyDownload) throw notFound('Use /_matrix/client/v1/media/download');
    return download(ctx, request, reply, request.query.allow_remote);
  },
};

export const downloadMediaEndpoints = [
  defineEndpoint<Context, unknown, DownloadQuery, MediaParams>({
    method: 'GET',
    path: '/_matrix/client/v1/media/download/:serverName/:mediaId',
    schema: { params: mediaParams, querystring: downloadQuery },
    ...authenticated,
  }),
  defineEndpoint<Context, unknown, DownloadQuery, NamedMediaParams>({
    method: 'GET',
    path: '/_matrix/client/v1/media/download/:serverName/:mediaId/:fileName',
    schema: { params: namedMediaParams, querystring: downloadQuery },
    ...authenticated,
  }),
  defineEndpoint<Context, unknown, DownloadQuery, MediaParams>({
    method: 'GET',
    path: '/_matrix/media/v3/download/:serverName/:mediaId',
    schema: { params: mediaParams, querystring: downloadQuery },
    ...legacy,
  }),
  defineEndpoint<Context, unknown, DownloadQuery, NamedMediaParams>({
    method: 'GET',
    path: '/_matrix/media/v3/download/:serverName/:mediaId/:fileName',
    schema: { params: namedMediaParams, querystring: downloadQuery },
    ...legacy,
  }),
];
