// Deleting media (admins, retention): the rows go in one transaction, then the blobs no row
// names any more. Media that is only quarantined keeps its bytes (for review) but is never served.
import type { Context } from '../context.ts';
import { deleteMediaRows } from '../storage/media.ts';
import { releaseBlobs } from './release-blobs.ts';

export async function deleteMedia(
  ctx: Pick<Context, 'db' | 'media' | 'logger'>,
  origin: string,
  mediaId: string,
): Promise<boolean> {
  const { found, orphanedCids } = await deleteMediaRows(ctx.db, origin, mediaId);
  await releaseBlobs(ctx, orphanedCids);
  return found;
}
