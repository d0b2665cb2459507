// POST /_matrix/client/v3/logout/all
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3logoutall

import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteDevicesOfUser } from '../../storage/devices.ts';

export const logoutAll = defineEndpoint<Context>({
  method: 'POST',
  path: '/_matrix/client/v3/logout/all',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const deviceIds = await deleteDevicesOfUser(ctx.db, user.userId);
    await announceDeviceChange(ctx, { kind: 'devices', userId: user.userId, deviceIds });
    return {};
  },
});
