// POST /_matrix/client/v3/join/{roomIdOrAlias}
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3joinroomidoralias
// `via` and `server_name` name servers to join through a room this server is not in.

import { joinRoomAnywhere } from '../../../federation/rooms/join-room-anywhere.ts';
import { resolveRoomIdOrAliasAnywhere } from '../../../federation/rooms/resolve-alias-anywhere.ts';
import {
  type JoinBody,
  joinBody,
  type ViaQuery,
  viaQuery,
} from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { takeUnlessExempt } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';

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
    takeUnlessExempt(ctx.rateLimits.joins, user, ctx.now());
    const { roomId, servers } = await resolveRoomIdOrAliasAnywhere(
      ctx,
      request.params.roomIdOrAlias,
    );
    const body = request.body ?? {};
    await joinRoomAnywhere(ctx, {
      roomId,
      userId: user.userId,
      reason: body.reason,
      content: body as JsonObject,
      servers: [...(request.query.via ?? []), ...(request.query.server_name ?? []), ...servers],
    });
    return { room_id: roomId };
  },
});
