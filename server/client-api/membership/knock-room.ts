// POST /_matrix/client/v3/knock/{roomIdOrAlias}
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3knockroomidoralias
// Whether the room may be knocked on (join rule knock or knock_restricted, a room version with
// knocking, the user neither in the room, invited nor banned) is the auth rules' call.
import {
  type ReasonBody,
  reasonBody,
  type ViaQuery,
  viaQuery,
} from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { knockOnRoom } from '../../rooms/membership-actions.ts';
import { resolveRoomIdOrAlias } from '../../rooms/resolve-room.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postKnockRoom = defineEndpoint<
  Context,
  ReasonBody,
  ViaQuery,
  { roomIdOrAlias: string }
>({
  method: 'POST',
  path: '/_matrix/client/v3/knock/:roomIdOrAlias',
  schema: { body: reasonBody, querystring: viaQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const roomId = await resolveRoomIdOrAlias(
      ctx.db,
      ctx.config.serverName,
      request.params.roomIdOrAlias,
    );
    await knockOnRoom(roomDepsOf(ctx), {
      roomId,
      sender: user.userId,
      reason: request.body?.reason,
    });
    return { room_id: roomId };
  },
});
