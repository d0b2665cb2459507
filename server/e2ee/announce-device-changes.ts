// Tells everyone who may encrypt for a user that the user's devices or cross-signing keys
// changed: a row in the device list stream (so /sync's `device_lists.changed` names the user to
// everyone sharing a room with them), a wake for those /syncs, and, for a local user, EDUs to
// every other server sharing a room: an m.device_list_update per changed device (chained by
// prev_id), or an m.signing_key_update with the public cross-signing keys.
// https://spec.matrix.org/latest/server-server-api/#device-management
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { loadCrossSigningKeysOf } from '../storage/cross-signing-keys.ts';
import { type AppendedChange, appendDeviceListChanges } from '../storage/device-lists.ts';
import { listDevices } from '../storage/devices.ts';
import { joinedRoomIdsOf, serversSharingRoomWith } from '../storage/room-mates.ts';
import { serverNameOfUser } from '../storage/room-servers.ts';
import { emptyKeysResult, readStoredKeys } from './local-keys-query.ts';

export type DeviceChange =
  /** Devices of a local user added, changed (keys, name) or deleted. */
  | { readonly kind: 'devices'; readonly userId: string; readonly deviceIds: readonly string[] }
  /** A local user's master or self-signing key changed. */
  | { readonly kind: 'cross-signing'; readonly userId: string }
  /** A remote user's devices or keys changed (an EDU came in, or a resync found a change). */
  | { readonly kind: 'remote'; readonly userId: string };

type AnnounceContext = Pick<Context, 'db' | 'now' | 'sync' | 'federation' | 'config' | 'logger'>;

export async function announceDeviceChange(
  ctx: AnnounceContext,
  change: DeviceChange,
): Promise<void> {
  if (change.kind === 'devices' && change.deviceIds.length === 0) return;
  const rows =
    change.kind === 'devices'
      ? change.deviceIds.map((deviceId) => ({ userId: change.userId, deviceId }))
      : [{ userId: change.userId }];
  const appended = await appendDeviceListChanges(ctx.db, rows, ctx.now());
  ctx.sync.notifier.notify({
    userIds: [change.userId],
    roomIds: await joinedRoomIdsOf(ctx.db, change.userId),
  });
  if (change.kind === 'remote' || serverNameOfUser(change.userId) !== ctx.config.serverName) {
    return;
  }
  const destinations = await serversSharingRoomWith(ctx.db, change.userId);
  if (destinations.length === 0) return;
  const edus =
    change.kind === 'devices'
      ? await deviceListUpdates(ctx, change.userId, appended)
      : [await signingKeyUpdate(ctx, change.userId)];
  for (const destination of destinations) {
    for (const edu of edus) {
      await ctx.federation.outbound.queueEdu(destination, edu, { persist: true });
    }
  }
}

async function deviceListUpdates(
  ctx: AnnounceContext,
  userId: string,
  appended: readonly AppendedChange[],
): Promise<{ edu_type: string; content: JsonObject }[]> {
  const deviceIds = appended.flatMap((change) => (change.deviceId ? [change.deviceId] : []));
  // As keys/query serves them: with the self-signing key's signatures uploaded since.
  const stored = emptyKeysResult();
  await readStoredKeys(
    ctx.db,
    {
      users: { [userId]: deviceIds },
      requesterId: undefined,
      withDisplayNames: ctx.config.federationDeviceNames,
    },
    stored,
  );
  const keys = new Map(Object.entries(stored.device_keys[userId] ?? {}));
  const devices = new Map((await listDevices(ctx.db, userId)).map((d) => [d.deviceId, d]));
  return appended.map((change) => {
    const deviceKeys = keys.get(change.deviceId ?? '');
    const content: JsonObject = {
      user_id: userId,
      device_id: change.deviceId ?? '',
      stream_id: change.streamId,
      prev_id: change.previousStreamId === undefined ? [] : [change.previousStreamId],
      deleted: !devices.has(change.deviceId ?? ''),
    };
    const name = devices.get(change.deviceId ?? '')?.displayName;
    if (ctx.config.federationDeviceNames && name) content.device_display_name = name;
    if (deviceKeys !== undefined) content.keys = deviceKeys;
    return { edu_type: 'm.device_list_update', content };
  });
}

async function signingKeyUpdate(
  ctx: AnnounceContext,
  userId: string,
): Promise<{ edu_type: string; content: JsonObject }> {
  const keys = await loadCrossSigningKeysOf(ctx.db, userId);
  const content: JsonObject = { user_id: userId };
  // user_signing keys are private to their owner: never sent to other servers.
  if (keys.master) content.master_key = keys.master;
  if (keys.self_signing) content.self_signing_key = keys.self_signing;
  return { edu_type: 'm.signing_key_update', content };
}
