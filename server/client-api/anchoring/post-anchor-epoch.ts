// POST /_cairn/v1/anchors/epochs
// An admin asks for an anchoring pass now (instead of waiting for anchor_interval_seconds): the
// next epoch is built from the rooms that changed, and queued epochs are anchored.
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { epochJson } from './get-anchors.ts';

export const postAnchorEpoch = defineEndpoint<Context>({
  method: 'POST',
  path: '/_cairn/v1/anchors/epochs',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    if (!user.isAdmin) throw forbidden('Only server admins may start an anchoring pass');
    const result = await ctx.anchoring.runPass();
    return {
      built: result.built ? epochJson(result.built) : null,
      anchored: result.anchored,
      ...(result.anchorError ? { anchor_error: result.anchorError } : {}),
    };
  },
});
