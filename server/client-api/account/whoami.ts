// GET /_matrix/client/v3/account/whoami
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3accountwhoami
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';

export const whoami = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/account/whoami',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return { user_id: user.userId, device_id: user.deviceId, is_guest: false };
  },
});
