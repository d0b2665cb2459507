// Rejecting an invite (or retracting a knock) to a room this server is not in: the leave has to
// be made by a server in the room, so it goes make_leave / send_leave through the server that
// invited us (for a knock, the servers of the room's stripped state: knock-remote-room.ts), then
// is stored here on top of the invite. If no such server can be reached, the
// leave is still stored here (signed by us, not sent): the user is rid of the invite, and the
// room learns of it if we ever meet it again.
// https://spec.matrix.org/latest/server-server-api/#leaving-rooms-rejecting-invites
import type { Context } from '../../server/context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import { type EventWithId, isJsonObject } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { notFound } from '../../server/http/matrix-error.ts';
import { persistAndAnnounce } from '../../server/rooms/persist-event.ts';
import { eventSignerOf, roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent, loadRoomVersion } from '../../server/storage/events.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { knockResidents } from './knock-remote-room.ts';
import { signMembershipTemplate } from './sign-membership-template.ts';

const enc = encodeURIComponent;

export async function leaveRemoteRoom(ctx: Context, roomId: string, userId: string): Promise<void> {
  const version = await loadRoomVersion(ctx.db, roomId);
  const member = await getCurrentMember(ctx.db, roomId, userId);
  if (!version || !member) throw notFound(`Not invited to ${roomId}`);
  if (member.membership === 'leave') return;
  const invite = await getEvent(ctx.db, member.eventId);
  // A knock is our own event: the servers of the room are those of its stripped state.
  const servers = !invite
    ? []
    : member.membership === 'knock'
      ? await knockResidents(ctx, invite)
      : [serverNameOfUser(invite.pdu.sender)];
  const signer = eventSignerOf(ctx);
  for (const server of servers.filter((name) => name !== ctx.config.serverName)) {
    const leave = await makeLeave(ctx, version, server, roomId, userId, signer).catch((err) => {
      ctx.logger.info({ err, server, roomId }, 'remote make_leave failed');
      return undefined;
    });
    if (!leave) continue;
    // The room's lock is held from send_leave until the leave is stored: the inviter may invite
    // again as soon as it has the rejection, and that invite can reach us before the reply is
    // read. Stored first, it would end up under the leave and the user never see it; the invite
    // handler takes this lock (store-remote-invite.ts), so it now lands on top.
    const stored = await ctx.roomLocks.run(roomId, async () => {
      try {
        await ctx.federation.client.request(server, {
          method: 'PUT',
          path: `/_matrix/federation/v2/send_leave/${enc(roomId)}/${enc(leave.eventId)}`,
          body: leave.pdu,
        });
      } catch (err) {
        ctx.logger.info({ err, server, roomId }, 'remote send_leave failed');
        return false;
      }
      await storeLeave(ctx, roomId, userId, member.eventId, leave);
      return true;
    });
    if (stored) return;
  }
  const local = withEventId(
    version,
    hashAndSignEvent(
      version,
      {
        room_id: roomId,
        type: 'm.room.member',
        state_key: userId,
        sender: userId,
        content: { membership: 'leave' },
        origin_server_ts: ctx.now(),
        depth: Number(invite?.pdu.depth ?? 0) + 1,
        prev_events: [member.eventId],
        auth_events: [member.eventId],
        hashes: {},
        signatures: {},
      },
      signer,
    ),
  );
  await ctx.roomLocks.run(roomId, () => storeLeave(ctx, roomId, userId, member.eventId, local));
}

/** Under the room's lock: the leave on top of the invite or knock `previous`. */
async function storeLeave(
  ctx: Context,
  roomId: string,
  userId: string,
  previous: string,
  leave: EventWithId,
): Promise<void> {
  await persistAndAnnounce(roomDepsOf(ctx), {
    roomId,
    event: leave,
    stateBefore: { group: null, state: new Map([[stateKey('m.room.member', userId), previous]]) },
    replacesExtremities: true,
  });
}

async function makeLeave(
  ctx: Context,
  version: RoomVersion,
  server: string,
  roomId: string,
  userId: string,
  signer: Parameters<typeof hashAndSignEvent>[2],
): Promise<EventWithId> {
  const made = await ctx.federation.client.request(server, {
    method: 'GET',
    path: `/_matrix/federation/v1/make_leave/${enc(roomId)}/${enc(userId)}`,
  });
  const body = isJsonObject(made.body) ? made.body : {};
  return signMembershipTemplate(
    version,
    body.event,
    { roomId, userId, membership: 'leave', content: {}, now: ctx.now() },
    signer,
  );
}
