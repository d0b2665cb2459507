// m.device_list_update: a remote user's device was added, changed or deleted.
// https://spec.matrix.org/latest/server-server-api/#device-management
//
// Only the user's own server may speak for them, and only users who share a room with one of our
// users matter (nobody here encrypts for anyone else). When the user's list is cached and the
// EDU's prev_id names the last stream_id we took, the change is applied to the cache; a prev_id
// we never saw means updates were missed, so the cache is marked stale and the whole list
// refetched (federation/e2ee/resync-device-list.ts). Either way local clients are told that the
// user's devices changed, so they fetch them again. A resync under way when the EDU comes may have
// fetched the list from before it: the list is then marked stale.
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { announceDeviceChange } from '../../server/e2ee/announce-device-changes.ts';
import { deleteDeviceKeys, putDeviceKeys } from '../../server/storage/e2e-keys.ts';
import {
  getRemoteDeviceList,
  markRemoteDeviceListStale,
  putRemoteDeviceList,
  sharesRoomWithLocalUser,
} from '../../server/storage/remote-device-lists.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { validRemoteDeviceKeys, withDisplayName } from '../e2ee/remote-key-checks.ts';
import { resyncDeviceList, resyncUnderWay } from '../e2ee/resync-device-list.ts';

export async function receiveDeviceListUpdate(
  ctx: Context,
  origin: string,
  content: JsonObject,
): Promise<void> {
  const { user_id: userId, device_id: deviceId } = content;
  if (typeof userId !== 'string' || typeof deviceId !== 'string') return;
  if (serverNameOfUser(userId) !== origin) return;
  if (!(await sharesRoomWithLocalUser(ctx.db, userId, ctx.config.serverName))) return;
  const streamId = JSON.stringify(content.stream_id ?? null);
  const prevIds = Array.isArray(content.prev_id)
    ? content.prev_id.map((id) => JSON.stringify(id))
    : [];
  const underWay = resyncUnderWay(ctx, userId);
  if (underWay) {
    await underWay.catch(() => undefined);
    await markRemoteDeviceListStale(ctx.db, userId, ctx.now());
  }
  const cached = await getRemoteDeviceList(ctx.db, userId);
  if (cached && !cached.stale) {
    if (cached.streamId === streamId) return; // seen already
    if (prevIds.includes(cached.streamId)) {
      await applyToCache(ctx, userId, deviceId, content, streamId);
    } else {
      await markRemoteDeviceListStale(ctx.db, userId, ctx.now());
      // Not awaited by the transaction: a slow server must not hold up the rest of it.
      void resyncDeviceList(ctx, userId)
        .then(() => announceDeviceChange(ctx, { kind: 'remote', userId }))
        .catch((err: unknown) =>
          ctx.logger.info({ err, userId }, 'device list resync failed; retried when next needed'),
        );
    }
  }
  await announceDeviceChange(ctx, { kind: 'remote', userId });
}

async function applyToCache(
  ctx: Context,
  userId: string,
  deviceId: string,
  content: JsonObject,
  streamId: string,
): Promise<void> {
  const keys =
    content.deleted === true ? undefined : validRemoteDeviceKeys(content.keys, userId, deviceId);
  await ctx.db.transaction().execute(async (trx) => {
    if (content.deleted === true) await deleteDeviceKeys(trx, userId, [deviceId]);
    else if (keys) {
      await putDeviceKeys(
        trx,
        userId,
        deviceId,
        withDisplayName(keys, content.device_display_name),
      );
    }
    await putRemoteDeviceList(trx, { userId, streamId, stale: false }, ctx.now());
  });
}
