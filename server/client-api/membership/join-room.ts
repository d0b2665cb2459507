// POST /_matrix/client/v3/join/{roomIdOrAlias}
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3joinroomidoralias
// `via` and `server_name` name servers to join through; they matter for remote joins, which
// come with federation, and are accepted and unused until then.
import {
  type JoinBody,
  joinBody,
  type ViaQuery,
  viaQuery,
} from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { takeOrThrow } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';
import { joinRoom } from '../../rooms/join-room.ts';
import { resolveRoomIdOrAlias } from '../../rooms/resolve-room.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postJoinRoom = defineEndpoint<
  Context,
  JoinBody | undefined,
  ViaQuery,
  { roomIdOrAlias: string }
>({
  method: 'POST',
  path: '/_matrix/client/v3/join/:roomIdOrAlias',
  schema: { body: joinBody, querystring: viaQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    takeOrThrow(ctx.rateLimits.joins, user.userId, ctx.now());
    const roomId = await resolveRoomIdOrAlias(
      ctx.db,
      ctx.config.serverName,
      request.params.roomIdOrAlias,
    );
    const body = request.body ?? {};
    await joinRoom(roomDepsOf(ctx), {
      roomId,
      userId: user.userId,
      reason: body.reason,
      content: body as JsonObject,
    });
    return { room_id: roomId };
  },
});
