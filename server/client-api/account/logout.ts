// POST /_matrix/client/v3/logout
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3logout
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteDevice } from '../../storage/devices.ts';

export const logout = defineEndpoint<Context>({
  method: 'POST',
  path: '/_matrix/client/v3/logout',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    // The device goes with the token (spec); its access and refresh tokens follow by cascade.
    // TODO(e2ee): delete the device's end-to-end keys when they exist.
    await deleteDevice(ctx.db, user.userId, user.deviceId);
    return {};
  },
});
