// A PDU for a room this server is not in, where one of our users holds an invite from another
// server: the only such PDU we take is the invite's end, a leave (or ban) of that user by the
// inviter, who rescinds the invite. Its signatures and hash are checked as for any PDU; its auth
// cannot be (we do not have the room's state), so it must come from the inviter, sent by the
// inviter's server, and it is stored on top of the
// invite, as a rejection with no reachable server is (leave-remote-room.ts): /sync then moves the
// room to `leave`. Every other PDU for such a room is ignored.
// https://spec.matrix.org/latest/server-server-api/#inviting-to-a-room
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { persistAndAnnounce } from '../../server/rooms/persist-event.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent } from '../../server/storage/events.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import { checkPduOnReceipt } from './check-pdu-on-receipt.ts';

const ENDS_INVITE = new Set(['leave', 'ban']);

/** Returns the event id taken, or undefined when the PDU is not an invite's end (ignored). */
export async function receiveInviteRescind(
  ctx: Context & { serverKeys: ServerKeyStore },
  version: RoomVersion,
  roomId: string,
  origin: string,
  raw: unknown,
): Promise<string | undefined> {
  const candidate = raw as JsonObject;
  const userId = candidate.state_key;
  const content = candidate.content as JsonObject | undefined;
  if (candidate.type !== 'm.room.member' || typeof userId !== 'string') return undefined;
  if (serverNameOfUser(userId) !== ctx.config.serverName) return undefined;
  if (!ENDS_INVITE.has(String(content?.membership))) return undefined;
  const member = await getCurrentMember(ctx.db, roomId, userId);
  if (member?.membership !== 'invite') return undefined;
  const invite = await getEvent(ctx.db, member.eventId);
  if (!invite) return undefined;
  const inviter = serverNameOfUser(invite.pdu.sender);
  const sender = typeof candidate.sender === 'string' ? candidate.sender : '';
  // Only the inviter may take their invite back (as Synapse has it): another member of the room,
  // even on the inviter's server, does not reach the invitee this way.
  if (origin !== inviter || sender !== invite.pdu.sender) {
    return undefined;
  }
  const checked = await checkPduOnReceipt(version, raw, ctx.serverKeys);
  if (!checked.ok || checked.redactedForHash) return undefined;
  const deps = roomDepsOf(ctx);
  await deps.roomLocks.run(roomId, async () => {
    const current = await getCurrentMember(ctx.db, roomId, userId);
    if (current?.eventId !== member.eventId || (await getEvent(ctx.db, checked.event.eventId))) {
      return;
    }
    await persistAndAnnounce(deps, {
      roomId,
      event: checked.event,
      stateBefore: {
        group: null,
        state: new Map([[stateKey('m.room.member', userId), member.eventId]]),
      },
      replacesExtremities: true,
    });
  });
  return checked.event.eventId;
}
