// GET /_matrix/client/v3/pushrules/
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3pushrules
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { getPushRules as readPushRules } from '../../push/user-push-rules.ts';

export const getPushRules = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return { global: await readPushRules(ctx.db, user.userId) };
  },
});
