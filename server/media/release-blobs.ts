// Removes blobs no media or thumbnail row names any more (after a delete, a failed insert, or a
// lost race to fill an asynchronous upload). Rows are the truth: the check runs again right
// before each removal, so a row written meanwhile for the same bytes keeps them.
import type { Context } from '../context.ts';
import { cidReferenced } from '../storage/media.ts';

export async function releaseBlobs(
  ctx: Pick<Context, 'db' | 'media' | 'logger'>,
  cids: readonly string[],
): Promise<void> {
  for (const cid of cids) {
    try {
      if (await cidReferenced(ctx.db, cid)) continue;
      await ctx.media.blobs.remove(cid);
    } catch (err) {
      // A blob left behind costs space, not correctness.
      ctx.logger.warn({ err, cid }, 'could not remove an unreferenced media blob');
    }
  }
}
