// GET /_matrix/client/v3/devices
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3devices
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { listDevices } from '../../storage/devices.ts';
import { deviceJson } from './device-json.ts';

export const getDevices = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/devices',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return { devices: (await listDevices(ctx.db, user.userId)).map(deviceJson) };
  },
});
