// Device lists follow room membership, after each member event is persisted (off the request's
// path): a remote user who leaves (or is kicked, banned) and now shares no room with a local user
// is no longer sent updates by their server, so our cache of their list is marked stale, to be
// refetched should they share a room again.
//
// Not done, like Synapse: the spec also asks for m.device_list_update EDUs to a room's servers
// when a local user joins it. Those servers learn of the new member from the join itself; their
// clients then query its keys, which they fetch with user/devices. Sending the EDUs as well made
// each joiner show up twice in remote users' device_lists.changed (once for the join, once for the
// EDU arriving after it), which Complement's device list tests count as wrong.
// https://spec.matrix.org/latest/server-server-api/#device-management
import type { Context } from '../context.ts';
import { isJsonObject } from '../core/pdu.ts';
import type { PersistedEvent } from '../rooms/room-events.ts';
import {
  markRemoteDeviceListStale,
  sharesRoomWithLocalUser,
} from '../storage/remote-device-lists.ts';
import { serverNameOfUser } from '../storage/room-servers.ts';

/** Subscribes to persisted events; returns the unsubscribe function. */
export function followMembershipForDeviceLists(ctx: Context): () => void {
  return ctx.roomEvents.subscribe((persisted) => {
    const change = membershipChange(persisted);
    if (change === undefined) return;
    if (change.joined || serverNameOfUser(change.userId) === ctx.config.serverName) return;
    void forgetIfNoRoomShared(ctx, change.userId).catch((err: unknown) =>
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

async function forgetIfNoRoomShared(ctx: Context, userId: string): Promise<void> {
  if (await sharesRoomWithLocalUser(ctx.db, userId, ctx.config.serverName)) return;
  await markRemoteDeviceListStale(ctx.db, userId, ctx.now());
}
