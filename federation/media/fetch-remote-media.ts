// Another server's media, fetched once over federation and cached in our blob store: GET
// /_matrix/federation/v1/media/download/{mediaId} (multipart/mixed: metadata, then the bytes or a
// Location to fetch them from), streamed into the store without holding the file.
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1mediadownloadmediaid
//
// Concurrent downloads of the same media share one fetch.

import type { Context } from '../../server/context.ts';
import { MatrixError, notFound } from '../../server/http/matrix-error.ts';
import { BlobTooLargeError } from '../../server/media/blob-store/blob-store.ts';
import { acceptedContentType, fileNameOfDisposition } from '../../server/media/content-headers.ts';
import { mediaKey } from '../../server/media/media-services.ts';
import { getMedia, insertRemoteMedia, type MediaRow } from '../../server/storage/media.ts';
import { FederationHttpError } from '../transport/federation-client.ts';
import { MultipartTooLargeError } from './multipart-mixed-reader.ts';
import {
  openRemoteMedia,
  type RemoteMediaBody,
  type RemoteMediaPaths,
} from './open-remote-media.ts';

export function fetchRemoteMedia(ctx: Context, origin: string, mediaId: string): Promise<MediaRow> {
  const key = mediaKey(origin, mediaId);
  const inFlight = ctx.media.remoteFetches.get(key);
  if (inFlight) return inFlight;
  const fetching = fetchAndStore(ctx, origin, mediaId).finally(() =>
    ctx.media.remoteFetches.delete(key),
  );
  ctx.media.remoteFetches.set(key, fetching);
  return fetching;
}

async function fetchAndStore(ctx: Context, origin: string, mediaId: string): Promise<MediaRow> {
  const id = encodeURIComponent(mediaId);
  const remote = await openOrExplain(ctx, origin, {
    federation: `/_matrix/federation/v1/media/download/${id}`,
    legacy: `/_matrix/media/v3/download/${encodeURIComponent(origin)}/${id}?allow_remote=false`,
  });
  const stored = await storeRemoteBytes(ctx, origin, remote);
  await insertRemoteMedia(ctx.db, {
    origin,
    mediaId,
    cid: stored.cid,
    size: stored.size,
    contentType: acceptedContentType(remote.contentType) ?? null,
    uploadName: fileNameOfDisposition(remote.contentDisposition) ?? null,
    now: ctx.now(),
  });
  const row = await getMedia(ctx.db, origin, mediaId);
  if (!row) throw notFound('No such media');
  return row;
}

/** Opens the remote media, turning federation failures into the client API's errors. */
export async function openOrExplain(
  ctx: Context,
  origin: string,
  paths: RemoteMediaPaths,
): Promise<RemoteMediaBody> {
  try {
    return await openRemoteMedia(ctx, origin, paths);
  } catch (err) {
    if (err instanceof FederationHttpError && err.status === 404) {
      throw notFound('No such media on its server');
    }
    // The media's server refused the request itself (a thumbnail of a non-image, say).
    if (err instanceof FederationHttpError && err.status === 400) {
      throw new MatrixError(400, err.errcode ?? 'M_UNKNOWN', `${origin} refused: ${err.message}`);
    }
    if (err instanceof MatrixError) throw err;
    ctx.logger.info({ err, origin, path: paths.federation }, 'remote media fetch failed');
    throw new MatrixError(502, 'M_UNKNOWN', `Could not fetch the media from ${origin}`);
  }
}

export async function storeRemoteBytes(
  ctx: Context,
  origin: string,
  remote: RemoteMediaBody,
): Promise<{ cid: string; size: number }> {
  try {
    return await ctx.media.blobs.put(remote.bytes, { maxBytes: ctx.config.maxUploadBytes });
  } catch (err) {
    if (err instanceof BlobTooLargeError || err instanceof MultipartTooLargeError) {
      throw new MatrixError(502, 'M_TOO_LARGE', 'The remote content is too large to serve');
    }
    ctx.logger.info({ err, origin }, 'remote media transfer failed');
    throw new MatrixError(502, 'M_UNKNOWN', `Could not fetch the media from ${origin}`);
  } finally {
    remote.close();
  }
}
