// POST /_matrix/client/v3/keys/upload
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysupload
//
// The device's identity keys, one-time keys and fallback keys. Everything is checked before
// anything is written, so a refused upload changes nothing. New or changed device keys are
// announced to everyone sharing a room with the user (device list stream and federation).
import { type UploadKeysBody, uploadKeysBody } from '../../../schemas/requests/keys.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import {
  deviceKeysProblem,
  deviceSigningKeyOf,
  oneTimeKeyVerifies,
  splitKeyName,
} from '../../e2ee/device-keys-check.ts';
import { oneTimeKeyCounts } from '../../e2ee/one-time-key-counts.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { invalidParam } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import {
  addOneTimeKeys,
  loadDeviceKeysOf,
  putDeviceKeys,
  putFallbackKey,
  type UploadedKey,
} from '../../storage/e2e-keys.ts';

export const uploadKeys = defineEndpoint<Context, UploadKeysBody>({
  method: 'POST',
  path: '/_matrix/client/v3/keys/upload',
  schema: { body: uploadKeysBody },
  handler: async (ctx, request) => {
    const { userId, deviceId } = await requireUser(ctx, request);
    const {
      device_keys: deviceKeys,
      one_time_keys: oneTime,
      fallback_keys: fallback,
    } = request.body;
    if (deviceKeys) {
      const problem = deviceKeysProblem(deviceKeys, userId, deviceId);
      if (problem) throw invalidParam(problem);
    }
    const signingKey = deviceKeys
      ? deviceSigningKeyOf(deviceKeys)
      : deviceSigningKeyOf(
          (await loadDeviceKeysOf(ctx.db, userId, [deviceId])).get(deviceId) ?? {},
        );
    const oneTimeKeys = checkedKeys(oneTime, userId, deviceId, signingKey);
    const fallbackKeys = checkedKeys(fallback, userId, deviceId, signingKey);

    const changed = await ctx.db.transaction().execute(async (trx) => {
      const { conflicts } = await addOneTimeKeys(trx, userId, deviceId, oneTimeKeys);
      if (conflicts.length > 0) {
        throw invalidParam(`One-time key ${conflicts[0]} already exists with a different key`);
      }
      for (const key of fallbackKeys) await putFallbackKey(trx, userId, deviceId, key);
      return deviceKeys ? putDeviceKeys(trx, userId, deviceId, deviceKeys) : false;
    });
    if (changed)
      await announceDeviceChange(ctx, { kind: 'devices', userId, deviceIds: [deviceId] });
    return { one_time_key_counts: await oneTimeKeyCounts(ctx.db, userId, deviceId) };
  },
});

function checkedKeys(
  keys: Record<string, unknown> | undefined,
  userId: string,
  deviceId: string,
  signingKey: string | undefined,
): UploadedKey[] {
  const checked: UploadedKey[] = [];
  for (const [name, key] of Object.entries(keys ?? {})) {
    const { algorithm, keyId } = splitKeyName(name);
    if (!oneTimeKeyVerifies(algorithm, key as JsonObject, userId, deviceId, signingKey)) {
      throw invalidParam(`Key ${name} is not signed by the device's ed25519 key`);
    }
    checked.push({ algorithm, keyId, key: key as JsonObject });
  }
  return checked;
}
