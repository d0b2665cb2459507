// GET /_matrix/federation/v1/user/devices/{userId}
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1userdevicesuserid
//
// A local user's whole device list for another server's cache: every device (with its keys once
// uploaded), the public cross-signing keys, and the stream_id of the user's latest device list
// update, from which our later m.device_list_update EDUs chain. Device names are shared only with
// `federation_device_names` on (they can say more about a person than they mean to publish).
import { type UserDevicesParams, userDevicesParams } from '../../schemas/requests/keys.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { emptyKeysResult, readStoredKeys } from '../../server/e2ee/local-keys-query.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { invalidParam, notFound } from '../../server/http/matrix-error.ts';
import { latestDeviceStreamId } from '../../server/storage/device-lists.ts';
import { listDevices } from '../../server/storage/devices.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { getUserById } from '../../server/storage/users.ts';
import type { FederationContext } from '../federation-context.ts';

export const getUserDevices = defineEndpoint<
  FederationContext,
  unknown,
  unknown,
  UserDevicesParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/user/devices/:userId',
  schema: { params: userDevicesParams },
  handler: async (ctx, request) => {
    const { userId } = request.params;
    if (!userId.startsWith('@')) throw invalidParam(`${userId} is not a user id`);
    if (serverNameOfUser(userId) !== ctx.config.serverName) {
      throw invalidParam(`${userId} is not a user of ${ctx.config.serverName}`);
    }
    const devices = await listDevices(ctx.db, userId);
    const keys = emptyKeysResult();
    await readStoredKeys(
      ctx.db,
      {
        users: { [userId]: [] },
        requesterId: undefined,
        withDisplayNames: ctx.config.federationDeviceNames,
      },
      keys,
    );
    if (devices.length === 0 && !(await getUserById(ctx.db, userId))) {
      throw notFound(`${userId} is not known`);
    }
    const body: JsonObject = {
      user_id: userId,
      stream_id: await latestDeviceStreamId(ctx.db, userId),
      devices: devices.map((device) => {
        const entry: JsonObject = { device_id: device.deviceId };
        if (ctx.config.federationDeviceNames && device.displayName) {
          entry.device_display_name = device.displayName;
        }
        const deviceKeys = keys.device_keys[userId]?.[device.deviceId];
        if (deviceKeys) entry.keys = deviceKeys;
        return entry;
      }),
    };
    if (keys.master_keys[userId]) body.master_key = keys.master_keys[userId];
    if (keys.self_signing_keys[userId]) body.self_signing_key = keys.self_signing_keys[userId];
    return body;
  },
});
