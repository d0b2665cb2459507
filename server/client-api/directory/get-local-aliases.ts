// GET /_matrix/client/v3/rooms/{roomId}/aliases
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidaliases
// For joined members, anyone when the room is world_readable, and server admins.
import type { Context } from '../../context.ts';
import { stateKey } from '../../core/state-map.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getCurrentState, getEvent, getMembership } from '../../storage/events.ts';
import { listRoomAliases } from '../../storage/room-aliases.ts';

export const getLocalAliases = defineEndpoint<Context, unknown, unknown, { roomId: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/rooms/:roomId/aliases',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId } = request.params;
    const allowed =
      user.isAdmin ||
      (await getMembership(ctx.db, roomId, user.userId)) === 'join' ||
      (await isWorldReadable(ctx, roomId));
    if (!allowed) throw forbidden(`You are not a member of room ${roomId}`);
    return { aliases: await listRoomAliases(ctx.db, roomId) };
  },
});

async function isWorldReadable(ctx: Context, roomId: string): Promise<boolean> {
  const key = stateKey('m.room.history_visibility', '');
  const eventId = (await getCurrentState(ctx.db, roomId)).get(key);
  const event = eventId === undefined ? undefined : await getEvent(ctx.db, eventId);
  return event?.pdu.content.history_visibility === 'world_readable';
}
