// POST /_matrix/client/v3/knock/{roomIdOrAlias}
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3knockroomidoralias
// Whether the room may be knocked on (join rule knock or knock_restricted, a room version with
// knocking, the user neither in the room, invited nor banned) is the auth rules' call. A room
// this server is not in is knocked on through `via` (and `server_name`), then the alias's servers.

import { knockOnRoomAnywhere } from '../../../federation/rooms/knock-remote-room.ts';
import { resolveRoomIdOrAliasAnywhere } from '../../../federation/rooms/resolve-alias-anywhere.ts';
import {
  type ReasonBody,
  reasonBody,
  type ViaQuery,
  viaQuery,
} from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';

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
    const { roomId, servers } = await resolveRoomIdOrAliasAnywhere(
      ctx,
      request.params.roomIdOrAlias,
    );
    await knockOnRoomAnywhere(ctx, {
      roomId,
      userId: user.userId,
      reason: request.body?.reason,
      servers: [...(request.query.via ?? []), ...(request.query.server_name ?? []), ...servers],
    });
    return { room_id: roomId };
  },
});
