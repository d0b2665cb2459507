// GET /_matrix/client/v3/devices/{deviceId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3devicesdeviceid
import { type DeviceIdParams, deviceIdParams } from '../../../schemas/requests/devices.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getDevice as readDevice } from '../../storage/devices.ts';
import { deviceJson } from './device-json.ts';

export const getDevice = defineEndpoint<Context, unknown, unknown, DeviceIdParams>({
  method: 'GET',
  path: '/_matrix/client/v3/devices/:deviceId',
  schema: { params: deviceIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const device = await readDevice(ctx.db, user.userId, request.params.deviceId);
    if (!device) throw notFound('No such device');
    return deviceJson(device);
  },
});
