// Device lists follow room membership, after each member event is persisted (off the request's
// path):
// - A local user joins: the room's other servers may not be receiving that user's device list
//   updates yet (they shared no room before). Each gets an m.device_list_update for every device
//   of the user, so their clients can encrypt for the new member at once and their caches chain
//   from here (spec: "when that user joins a room which contains servers which are not already
//   receiving updates").
// - A remote user leaves (or is kicked, banned) and now shares no room with a local user: their
//   server stops sending us their updates, so our cache of their list is marked stale, to be
//   refetched should they share a room again.
// https://spec.matrix.org/latest/server-server-api/#device-management
import type { Context } from '../context.ts';
import { isJsonObject } from '../core/pdu.ts';
import type { PersistedEvent } from '../rooms/room-events.ts';
import { listDevices } from '../storage/devices.ts';
import {
  markRemoteDeviceListStale,
  sharesRoomWithLocalUser,
} from '../storage/remote-device-lists.ts';
import { joinedServersOf, serverNameOfUser } from '../storage/room-servers.ts';
import { announceDeviceChange } from './announce-device-changes.ts';

/** Subscribes to persisted events; returns the unsubscribe function. */
export function followMembershipForDeviceLists(ctx: Context): () => void {
  return ctx.roomEvents.subscribe((persisted) => {
    const change = membershipChange(persisted);
    if (change === undefined) return;
    const local = serverNameOfUser(change.userId) === ctx.config.serverName;
    const work =
      local && change.joined
        ? announceToRoom(ctx, change.userId, persisted.roomId)
        : !local && !change.joined
          ? forgetIfNoRoomShared(ctx, change.userId)
          : undefined;
    void work?.catch((err: unknown) =>
      ctx.logger.warn({ err, ...change, roomId: persisted.roomId }, 'device list follow-up failed'),
    );
  });
}

function membershipChange({
  event,
}: PersistedEvent): { userId: string; joined: boolean } | undefined {
  const { pdu } = event;
  if (pdu.type !== 'm.room.member' || event.outlier || event.rejectedReason !== null) {
    return undefined;
  }
  if (typeof pdu.state_key !== 'string' || !isJsonObject(pdu.content)) return undefined;
  return { userId: pdu.state_key, joined: pdu.content.membership === 'join' };
}

async function announceToRoom(ctx: Context, userId: string, roomId: string): Promise<void> {
  const destinations = (await joinedServersOf(ctx.db, roomId)).filter(
    (server) => server !== ctx.config.serverName,
  );
  if (destinations.length === 0) return;
  const deviceIds = (await listDevices(ctx.db, userId)).map((device) => device.deviceId);
  await announceDeviceChange(ctx, { kind: 'devices', userId, deviceIds, destinations });
}

async function forgetIfNoRoomShared(ctx: Context, userId: string): Promise<void> {
  if (await sharesRoomWithLocalUser(ctx.db, userId, ctx.config.serverName)) return;
  await markRemoteDeviceListStale(ctx.db, userId, ctx.now());
}
