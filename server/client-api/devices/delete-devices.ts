// POST /_matrix/client/v3/delete_devices
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3delete_devices
import { type DeleteDevicesBody, deleteDevicesBody } from '../../../schemas/requests/devices.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteDevicesOfUser } from '../../storage/devices.ts';

/** Shared with DELETE /devices/{deviceId}: one session may serve either. */
export const deleteDevicesPolicy: UiaPolicy = {
  endpoint: 'delete devices',
  flows: [['m.login.password']],
};

export const deleteDevices = defineEndpoint<Context, DeleteDevicesBody>({
  method: 'POST',
  path: '/_matrix/client/v3/delete_devices',
  schema: { body: deleteDevicesBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await requireUserInteractiveAuth(uiaDepsOf(ctx), deleteDevicesPolicy, {
      auth: request.body.auth,
      requesterId: user.userId,
    });
    const deviceIds = await deleteDevicesOfUser(ctx.db, user.userId, {
      only: request.body.devices,
    });
    await announceDeviceChange(ctx, { kind: 'devices', userId: user.userId, deviceIds });
    return {};
  },
});
