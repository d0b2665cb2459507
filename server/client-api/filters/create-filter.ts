// POST /_matrix/client/v3/user/{userId}/filter
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3useruseridfilter
import { type UserIdParams, userIdParams } from '../../../schemas/requests/profile.ts';
import { type SyncFilter, syncFilter } from '../../../schemas/requests/sync-filter.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { createFilter as storeFilter } from '../../storage/filters.ts';

export const createFilter = defineEndpoint<Context, SyncFilter, unknown, UserIdParams>({
  method: 'POST',
  path: '/_matrix/client/v3/user/:userId/filter',
  schema: { body: syncFilter, params: userIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    if (user.userId !== request.params.userId) {
      throw forbidden('Cannot create filters for other users');
    }
    const filterId = await storeFilter(
      ctx.db,
      user.userId,
      request.body as Record<string, unknown>,
      ctx.now(),
    );
    return { filter_id: filterId };
  },
});
