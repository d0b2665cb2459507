// A thumbnail of another server's media, fetched over federation when the media itself is not
// cached here: GET /_matrix/federation/v1/media/thumbnail/{mediaId} (multipart/mixed).
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1mediathumbnailmediaid
import type { Context } from '../../server/context.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';
import { essenceOf } from '../../server/media/content-headers.ts';
import type { ThumbnailKey } from '../../server/storage/media.ts';
import { openOrExplain, storeRemoteBytes } from './fetch-remote-media.ts';

const THUMBNAIL_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/apng',
  'image/gif',
  'image/webp',
]);

export async function fetchRemoteThumbnail(
  ctx: Context,
  origin: string,
  mediaId: string,
  key: ThumbnailKey,
): Promise<{ cid: string; size: number; contentType: string }> {
  const id = encodeURIComponent(mediaId);
  const query = `width=${key.width}&height=${key.height}&method=${key.method}&animated=${key.animated}`;
  const remote = await openOrExplain(ctx, origin, {
    federation: `/_matrix/federation/v1/media/thumbnail/${id}?${query}`,
    legacy: `/_matrix/media/v3/thumbnail/${encodeURIComponent(origin)}/${id}?${query}&allow_remote=false`,
  });
  // Thumbnails are served inline: only the image types the spec allows for them.
  const contentType = essenceOf(remote.contentType ?? '');
  if (!THUMBNAIL_TYPES.has(contentType)) {
    remote.close();
    throw new MatrixError(502, 'M_UNKNOWN', `${origin} sent a thumbnail that is not an image`);
  }
  const stored = await storeRemoteBytes(ctx, origin, remote);
  return { ...stored, contentType };
}
