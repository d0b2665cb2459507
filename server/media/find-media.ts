// Resolves an mxc:// URI to stored bytes for a download or thumbnail: local media (waiting for an
// asynchronous upload's bytes up to timeout_ms), or remote media from the cache, else fetched
// from its server over federation and cached. Quarantined media is as good as absent.
import { fetchRemoteMedia } from '../../federation/media/fetch-remote-media.ts';
import type { Context } from '../context.ts';
import { MatrixError, notFound } from '../http/matrix-error.ts';
import { getMedia, type MediaRow } from '../storage/media.ts';
import { isValidMediaId } from './media-id.ts';
import { mediaKey } from './media-services.ts';

export type ServableMedia = MediaRow & { readonly cid: string; readonly size: number };

/** Longest a download waits for an asynchronous upload, whatever timeout_ms asks. */
const MAX_UPLOAD_WAIT_MS = 120_000;

export interface FindMediaOptions {
  readonly timeoutMs: number;
  /** false: remote media is only served from the cache (legacy allow_remote=false). */
  readonly allowRemote: boolean;
}

export async function findServableMedia(
  ctx: Context,
  origin: string,
  mediaId: string,
  options: FindMediaOptions,
): Promise<ServableMedia> {
  if (!isValidMediaId(mediaId)) throw notFound('No such media');
  if (origin === ctx.config.serverName) return findLocalMedia(ctx, mediaId, options.timeoutMs);
  const cached = await getMedia(ctx.db, origin, mediaId);
  if (cached) return servable(cached);
  if (!options.allowRemote) throw notFound('Remote media is not cached here');
  return servable(await fetchRemoteMedia(ctx, origin, mediaId));
}

async function findLocalMedia(
  ctx: Context,
  mediaId: string,
  timeoutMs: number,
): Promise<ServableMedia> {
  const origin = ctx.config.serverName;
  let row = await getMedia(ctx.db, origin, mediaId);
  if (row && row.cid === null && !row.quarantined_by) {
    if ((row.unused_expires_ts ?? 0) <= ctx.now()) throw notFound('No such media');
    const key = mediaKey(origin, mediaId);
    const wait = ctx.media.uploads.wait(key, Math.min(timeoutMs, MAX_UPLOAD_WAIT_MS));
    // The upload may have landed between the read and the wait.
    row = await getMedia(ctx.db, origin, mediaId);
    if (row && row.cid === null) {
      await wait;
      row = await getMedia(ctx.db, origin, mediaId);
    } else {
      ctx.media.uploads.uploaded(key);
    }
    if (row && row.cid === null) {
      throw new MatrixError(504, 'M_NOT_YET_UPLOADED', 'The content has not been uploaded yet');
    }
  }
  if (!row) throw notFound('No such media');
  return servable(row);
}

function servable(row: MediaRow): ServableMedia {
  if (row.quarantined_by !== null || row.cid === null || row.size === null) {
    throw notFound('No such media');
  }
  return row as ServableMedia;
}
