// When a local user joins a room, the room's other servers may not be receiving that user's
// device list updates yet (they shared no room before): each gets an m.device_list_update for
// every device of the user that has keys, so their clients can encrypt for the new member at once
// and their caches chain from here. Runs after the join is persisted, off the request's path.
// https://spec.matrix.org/latest/server-server-api/#device-management
import type { Context } from '../context.ts';
import { isJsonObject } from '../core/pdu.ts';
import type { PersistedEvent } from '../rooms/room-events.ts';
import { loadDeviceKeysOf } from '../storage/e2e-keys.ts';
import { joinedServersOf, serverNameOfUser } from '../storage/room-servers.ts';
import { announceDeviceChange } from './announce-device-changes.ts';

/** Subscribes to persisted events; returns the unsubscribe function. */
export function sendDeviceListsOnLocalJoins(ctx: Context): () => void {
  return ctx.roomEvents.subscribe((persisted) => {
    const userId = localJoiner(ctx, persisted);
    if (userId === undefined) return;
    void announceToRoom(ctx, userId, persisted.roomId).catch((err: unknown) =>
      ctx.logger.warn({ err, userId, roomId: persisted.roomId }, 'device lists not sent on join'),
    );
  });
}

function localJoiner(ctx: Context, { event }: PersistedEvent): string | undefined {
  const { pdu } = event;
  if (pdu.type !== 'm.room.member' || event.outlier || event.rejectedReason !== null) {
    return undefined;
  }
  const userId = pdu.state_key;
  if (typeof userId !== 'string' || serverNameOfUser(userId) !== ctx.config.serverName) {
    return undefined;
  }
  return isJsonObject(pdu.content) && pdu.content.membership === 'join' ? userId : undefined;
}

async function announceToRoom(ctx: Context, userId: string, roomId: string): Promise<void> {
  const destinations = (await joinedServersOf(ctx.db, roomId)).filter(
    (server) => server !== ctx.config.serverName,
  );
  if (destinations.length === 0) return;
  const deviceIds = [...(await loadDeviceKeysOf(ctx.db, userId)).keys()];
  await announceDeviceChange(ctx, { kind: 'devices', userId, deviceIds, destinations });
}
