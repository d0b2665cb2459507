// PUT /_matrix/client/v3/devices/{deviceId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3devicesdeviceid
import {
  type DeviceIdParams,
  deviceIdParams,
  type UpdateDeviceBody,
  updateDeviceBody,
} from '../../../schemas/requests/devices.ts';
import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getDevice, setDeviceDisplayName } from '../../storage/devices.ts';

// Creating devices here is for application services only (spec 1.17); users update their own.
export const updateDevice = defineEndpoint<Context, UpdateDeviceBody, unknown, DeviceIdParams>({
  method: 'PUT',
  path: '/_matrix/client/v3/devices/:deviceId',
  schema: { body: updateDeviceBody, params: deviceIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { deviceId } = request.params;
    const displayName = request.body.display_name;
    const found =
      displayName === undefined
        ? (await getDevice(ctx.db, user.userId, deviceId)) !== undefined
        : await setDeviceDisplayName(ctx.db, user.userId, deviceId, displayName);
    if (!found) throw notFound('No such device');
    // The name is part of what keys/query shows of the device: those who share a room re-fetch.
    if (displayName !== undefined) {
      await announceDeviceChange(ctx, {
        kind: 'devices',
        userId: user.userId,
        deviceIds: [deviceId],
      });
    }
    return {};
  },
});
