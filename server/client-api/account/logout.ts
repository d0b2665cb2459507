// POST /_matrix/client/v3/logout
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3logout

import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteDevice } from '../../storage/devices.ts';

export const logout = defineEndpoint<Context>({
  method: 'POST',
  path: '/_matrix/client/v3/logout',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    // The device goes with the token (spec); its access and refresh tokens follow by cascade.
    // Its end-to-end keys go too, and those who encrypt for the user are told.
    if (await deleteDevice(ctx.db, user.userId, user.deviceId)) {
      await announceDeviceChange(ctx, {
        kind: 'devices',
        userId: user.userId,
        deviceIds: [user.deviceId],
      });
    }
    return {};
  },
});
