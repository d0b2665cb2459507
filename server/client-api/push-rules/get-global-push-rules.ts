// GET /_matrix/client/v3/pushrules/global/
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3pushrulesglobal
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { getPushRules } from '../../push/user-push-rules.ts';

export const getGlobalPushRules = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return getPushRules(ctx.db, user.userId);
  },
});
