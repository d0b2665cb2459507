// Keeps an invite another server sent for one of our users. In a room we are in, the invite is
// stored as an outlier: it comes again through /send and takes its place in the timeline then.
// In a room we are not in, it becomes the room's only event here (its state: the invitee's
// membership), with the stripped state sent along, so /sync shows the invite and a join or a
// rejection can follow through the inviting server.
import type { Context } from '../../server/context.ts';
import { primaryCreator } from '../../server/core/auth-rules/room-creators.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { persistAndAnnounce } from '../../server/rooms/persist-event.ts';
import { persistOutliers } from '../../server/rooms/persist-outliers.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent } from '../../server/storage/events.ts';
import { isServerInRoom } from '../../server/storage/room-servers.ts';

export async function storeRemoteInvite(
  ctx: Context,
  version: RoomVersion,
  invite: EventWithId,
  strippedState: readonly JsonObject[],
): Promise<void> {
  const roomId = String(invite.pdu.room_id);
  const deps = roomDepsOf(ctx);
  await deps.roomLocks.run(roomId, async () => {
    if (await getEvent(ctx.db, invite.eventId)) return;
    if (await isServerInRoom(ctx.db, roomId, ctx.config.serverName)) {
      await persistOutliers(deps, roomId, [{ event: invite }]);
      return;
    }
    const create = strippedState.find((each) => each.type === 'm.room.create');
    await ctx.db
      .insertInto('rooms')
      .values({
        room_id: roomId,
        room_version: version.id,
        creator: (create && primaryCreator(version, create as unknown as Pdu)) ?? invite.pdu.sender,
        created_ts: ctx.now(),
      })
      .onConflict((oc) => oc.column('room_id').doNothing())
      .execute();
    await ctx.db
      .insertInto('remote_invite_state')
      .values({
        event_id: invite.eventId,
        room_id: roomId,
        stripped_json: JSON.stringify(strippedState),
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
    await persistAndAnnounce(deps, {
      roomId,
      event: invite,
      stateBefore: { group: null, state: new Map() },
      replacesExtremities: true,
    });
  });
}
