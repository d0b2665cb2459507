// A thumbnail of an mxc:// URI at one of the sizes Cairn makes (thumbnails/thumbnail-sizes.ts),
// made once and kept: rendered here from the bytes of local media (or of remote media already
// cached whole), otherwise fetched from the media's server over federation.
// https://spec.matrix.org/latest/client-server-api/#thumbnails
import { fetchRemoteThumbnail } from '../../federation/media/fetch-remote-thumbnail.ts';
import type { Context } from '../context.ts';
import { MatrixError, notFound } from '../http/matrix-error.ts';
import { getMedia, getThumbnail, insertThumbnail, type ThumbnailKey } from '../storage/media.ts';
import { type FindMediaOptions, findServableMedia, type ServableMedia } from './find-media.ts';
import { isValidMediaId } from './media-id.ts';
import { openBlob } from './send-media.ts';
import {
  DEFAULT_MAX_INPUT_BYTES,
  NotThumbnailableError,
  renderThumbnail,
  ThumbnailTooLargeError,
} from './thumbnails/render-thumbnail.ts';
import { chooseThumbnailSize, type ThumbnailRequest } from './thumbnails/thumbnail-sizes.ts';

export interface StoredThumbnail {
  readonly cid: string;
  readonly size: number;
  readonly contentType: string;
}

export async function findThumbnail(
  ctx: Context,
  origin: string,
  mediaId: string,
  requested: ThumbnailRequest,
  options: FindMediaOptions,
): Promise<StoredThumbnail> {
  if (!isValidMediaId(mediaId)) throw notFound('No such media');
  const size = chooseThumbnailSize(requested);
  const key: ThumbnailKey = {
    origin,
    mediaId,
    width: size.width,
    height: size.height,
    method: size.method,
    animated: requested.animated,
  };
  const local = origin === ctx.config.serverName;
  const media = local
    ? await findServableMedia(ctx, origin, mediaId, options)
    : await getMedia(ctx.db, origin, mediaId);
  if (media?.quarantined_by) throw notFound('No such media');
  const cached = await getThumbnail(ctx.db, key);
  if (cached) return { cid: cached.cid, size: cached.size, contentType: cached.content_type };

  if (media?.cid) return renderAndStore(ctx, media as ServableMedia, key);
  if (!options.allowRemote) throw notFound('Remote media is not cached here');
  const fetched = await fetchRemoteThumbnail(ctx, origin, mediaId, key);
  await insertThumbnail(ctx.db, { ...key, ...fetched, now: ctx.now() });
  return fetched;
}

async function renderAndStore(
  ctx: Context,
  media: ServableMedia,
  key: ThumbnailKey,
): Promise<StoredThumbnail> {
  if (media.size > DEFAULT_MAX_INPUT_BYTES) {
    throw new MatrixError(413, 'M_TOO_LARGE', 'The content is too large to thumbnail');
  }
  const source = await openBlob(ctx.media.blobs, media.cid, undefined, { log: ctx.logger });
  let rendered: Awaited<ReturnType<typeof renderThumbnail>>;
  try {
    rendered = await renderThumbnail(source, {
      width: key.width,
      height: key.height,
      method: key.method as 'crop' | 'scale',
      animated: key.animated,
    });
  } catch (err) {
    if (err instanceof NotThumbnailableError) {
      throw new MatrixError(
        400,
        'M_UNKNOWN',
        'Cannot generate thumbnails for the requested content',
      );
    }
    if (err instanceof ThumbnailTooLargeError) {
      throw new MatrixError(413, 'M_TOO_LARGE', 'The content is too large to thumbnail');
    }
    throw err;
  }
  const stored = await ctx.media.blobs.put(
    (async function* () {
      yield rendered.bytes;
    })(),
    { maxBytes: Number.MAX_SAFE_INTEGER },
  );
  await insertThumbnail(ctx.db, {
    ...key,
    cid: stored.cid,
    size: stored.size,
    contentType: rendered.contentType,
    now: ctx.now(),
  });
  return { cid: stored.cid, size: stored.size, contentType: rendered.contentType };
}
