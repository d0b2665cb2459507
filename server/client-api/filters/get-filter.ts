// GET /_matrix/client/v3/user/{userId}/filter/{filterId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3useruseridfilterfilterid
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getFilter as readFilter } from '../../storage/filters.ts';

interface Params {
  userId: string;
  filterId: string;
}

export const getFilter = defineEndpoint<Context, unknown, unknown, Params>({
  method: 'GET',
  path: '/_matrix/client/v3/user/:userId/filter/:filterId',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    if (user.userId !== request.params.userId) {
      throw forbidden("Cannot read other users' filters");
    }
    const filter = await readFilter(ctx.db, user.userId, request.params.filterId);
    if (!filter) throw notFound('No such filter');
    return filter;
  },
});
