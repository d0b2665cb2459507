// DELETE /_matrix/client/v3/devices/{deviceId}
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3devicesdeviceid
import { Ajv } from 'ajv';
import {
  type DeleteDeviceBody,
  type DeviceIdParams,
  deleteDeviceBody,
  deviceIdParams,
} from '../../../schemas/requests/devices.ts';
import { requireUserInteractiveAuth, uiaDepsOf } from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { badJson } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteDevicesOfUser } from '../../storage/devices.ts';
import { deleteDevicesPolicy } from './delete-devices.ts';

// The spec marks the body required, but a DELETE without one (curl, some clients on the first,
// auth-less attempt) is common; it reads as `{}`. Checked here since the route has no body schema.
const validBody = new Ajv({ strict: false }).compile<DeleteDeviceBody>(deleteDeviceBody);

function deleteDeviceAuth(body: unknown): unknown {
  if (body === undefined) return undefined;
  if (!validBody(body)) throw badJson(`body ${validBody.errors?.[0]?.message ?? 'is invalid'}`);
  return body.auth;
}

export const deleteDevice = defineEndpoint<Context, unknown, unknown, DeviceIdParams>({
  method: 'DELETE',
  path: '/_matrix/client/v3/devices/:deviceId',
  schema: { params: deviceIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await requireUserInteractiveAuth(uiaDepsOf(ctx), deleteDevicesPolicy, {
      auth: deleteDeviceAuth(request.body),
      requesterId: user.userId,
    });
    // An unknown device is a success too: "or had been removed previously" (spec).
    const deviceIds = await deleteDevicesOfUser(ctx.db, user.userId, {
      only: [request.params.deviceId],
    });
    await announceDeviceChange(ctx, { kind: 'devices', userId: user.userId, deviceIds });
    return {};
  },
});
