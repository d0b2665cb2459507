// Refetches a remote user's whole device list from their server (GET /user/devices/{userId})
// and caches it: devices with their keys, the public cross-signing keys and the stream_id that
// later m.device_list_update EDUs chain from. Done when the list is first needed, and again when
// an EDU shows a gap (a prev_id we never saw). One fetch per user at a time; callers waiting on
// the same user share it. Telling local clients is the caller's part (a first fetch changes
// nothing they knew).
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1userdevicesuserid
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { putCrossSigningKey } from '../../server/storage/cross-signing-keys.ts';
import { replaceDeviceKeysOf } from '../../server/storage/e2e-keys.ts';
import { putRemoteDeviceList } from '../../server/storage/remote-device-lists.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import {
  validRemoteCrossSigningKey,
  validRemoteDeviceKeys,
  withDisplayName,
} from './remote-key-checks.ts';

const TIMEOUT_MS = 10_000;
const inFlight = new Map<string, Promise<void>>();

/** The resync of the user's list under way, if one is. */
export function resyncUnderWay(ctx: Context, userId: string): Promise<void> | undefined {
  return inFlight.get(`${ctx.config.serverName}|${userId}`);
}

/** Fetches and caches the user's device list; throws when their server cannot be asked. */
export function resyncDeviceList(ctx: Context, userId: string): Promise<void> {
  const key = `${ctx.config.serverName}|${userId}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchAndStore(ctx, userId).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function fetchAndStore(ctx: Context, userId: string): Promise<void> {
  const { body } = await ctx.federation.client.request(serverNameOfUser(userId), {
    method: 'GET',
    path: `/_matrix/federation/v1/user/devices/${encodeURIComponent(userId)}`,
    timeoutMs: TIMEOUT_MS,
  });
  if (!isJsonObject(body) || body.user_id !== userId || !Array.isArray(body.devices)) {
    throw new Error(`${serverNameOfUser(userId)} sent a malformed device list for ${userId}`);
  }
  const devices = new Map<string, JsonObject>();
  for (const device of body.devices) {
    if (!isJsonObject(device) || typeof device.device_id !== 'string') continue;
    const keys = validRemoteDeviceKeys(device.keys, userId, device.device_id);
    if (keys) devices.set(device.device_id, withDisplayName(keys, device.device_display_name));
  }
  const master = validRemoteCrossSigningKey(body.master_key, userId);
  const selfSigning = validRemoteCrossSigningKey(body.self_signing_key, userId);
  await ctx.db.transaction().execute(async (trx) => {
    await replaceDeviceKeysOf(trx, userId, devices);
    if (master) await putCrossSigningKey(trx, userId, 'master', master);
    if (selfSigning) await putCrossSigningKey(trx, userId, 'self_signing', selfSigning);
    await putRemoteDeviceList(
      trx,
      { userId, streamId: JSON.stringify(body.stream_id ?? 0), stale: false },
      ctx.now(),
    );
  });
}
