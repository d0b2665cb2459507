// The client API's join: a room this server is in is joined locally; any other through the
// servers the client named (`via`), those of the alias, the server that invited the user, and
// the room id's own server (room versions before 12 carry one), in that order.
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { joinRoom } from '../../server/rooms/join-room.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getEvent } from '../../server/storage/events.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import { isServerInRoom, serverNameOfUser } from '../../server/storage/room-servers.ts';
import { joinRemoteRoom } from './join-remote-room.ts';

export interface AnywhereJoin {
  readonly roomId: string;
  readonly userId: string;
  readonly reason?: string | undefined;
  readonly content?: JsonObject | undefined;
  readonly servers: readonly string[];
}

export async function joinRoomAnywhere(ctx: Context, request: AnywhereJoin): Promise<void> {
  const { roomId, userId } = request;
  if (await isServerInRoom(ctx.db, roomId, ctx.config.serverName)) {
    await joinRoom(roomDepsOf(ctx), request);
    return;
  }
  const servers = [...request.servers];
  const member = await getCurrentMember(ctx.db, roomId, userId);
  if (member?.membership === 'invite') {
    const invite = await getEvent(ctx.db, member.eventId);
    if (invite) servers.push(serverNameOfUser(invite.pdu.sender));
  }
  const colon = roomId.indexOf(':');
  if (colon > 0) servers.push(roomId.slice(colon + 1));
  const content: JsonObject = {};
  for (const [key, value] of Object.entries(request.content ?? {})) {
    if (key !== 'membership' && key !== 'third_party_signed') content[key] = value;
  }
  if (request.reason !== undefined) content.reason = request.reason;
  await joinRemoteRoom(ctx, { roomId, userId, servers, content });
}
