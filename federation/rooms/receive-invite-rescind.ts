// A PDU for a room this server is not in, where one of our users holds an invite from another
// server or a knock of theirs is pending: the only such PDU we take is that membership's end by
// someone else, a leave (or ban) of the user. Its signatures and hash are checked as for any PDU;
// its auth cannot be (we do not have the room's state), so who may send it is narrowed instead:
// - an invite is taken back by its inviter, sent by the inviter's server (as Synapse has it);
// - a knock is denied by a moderator we cannot name in advance: the leave must come from its
//   sender's own server and cite our knock among its auth events (auth events selection lists
//   the target's membership), which a server that never saw the knock cannot do. The spec has
//   no word on telling the knocker's server (MSC2403 left it out, and Synapse sends the leave of
//   a knocker only to the room's servers); Cairn sends a member event to its target's server
//   (federation/sender/pdu-destinations.ts), so a room on Cairn reaches us this way.
// The user's own retraction or rejection is not this path: it goes through leave-remote-room.ts.
// The end is stored on top of the invite or knock, as a rejection with no reachable server is:
// /sync then moves the room to `leave`. Every other PDU for such a room is ignored.
// https://spec.matrix.org/latest/server-server-api/#inviting-to-a-room
// https://spec.matrix.org/latest/server-server-api/#knocking-upon-a-room
import type { Context } from '../../server/context.ts';
import { authEventIds } from '../../server/core/dag/auth-events.ts';
import type { JsonObject, Pdu } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { persistAndAnnounce } from '../../server/rooms/persist-event.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent, type StoredEvent } from '../../server/storage/events.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import { checkPduOnReceipt } from './check-pdu-on-receipt.ts';

const ENDS_MEMBERSHIP = new Set(['leave', 'ban']);

/** Returns the event id taken, or undefined when the PDU ends no invite or knock (ignored). */
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
  if (!ENDS_MEMBERSHIP.has(String(content?.membership))) return undefined;
  const member = await getCurrentMember(ctx.db, roomId, userId);
  if (member?.membership !== 'invite' && member?.membership !== 'knock') return undefined;
  const pending = await getEvent(ctx.db, member.eventId);
  if (!pending) return undefined;
  const sender = typeof candidate.sender === 'string' ? candidate.sender : '';
  const allowed =
    member.membership === 'invite'
      ? endsInvite(pending, sender, origin)
      : deniesKnock(version, pending, candidate as Pdu, sender, origin);
  if (!allowed) return undefined;
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

/** Only the inviter takes their invite back: another member, even on their server, does not. */
function endsInvite(invite: StoredEvent, sender: string, origin: string): boolean {
  return origin === serverNameOfUser(invite.pdu.sender) && sender === invite.pdu.sender;
}

/**
 * A denial: sent by someone else than the knocker (the knocker is ours, so their leave is never
 * relayed to us), by that sender's own server (a server sends its own events; the signature
 * check then holds the sender's server to it), and citing the knock it ends.
 */
function deniesKnock(
  version: RoomVersion,
  knock: StoredEvent,
  leave: Pdu,
  sender: string,
  origin: string,
): boolean {
  if (sender === knock.pdu.sender || !sender.startsWith('@') || !sender.includes(':')) {
    return false;
  }
  return (
    serverNameOfUser(sender) === origin && authEventIds(version, leave).includes(knock.eventId)
  );
}
