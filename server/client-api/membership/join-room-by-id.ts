// POST /_matrix/client/v3/rooms/{roomId}/join
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidjoin
// `third_party_signed` is accepted and not acted on: third-party invites are not supported yet,
// so such a join is judged as an ordinary one.

import { joinRoomAnywhere } from '../../../federation/rooms/join-room-anywhere.ts';
import { type JoinBody, joinBody } from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { invalidParam } from '../../http/matrix-error.ts';
import { takeUnlessExempt } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';

export const postJoinRoomById = defineEndpoint<
  Context,
  JoinBody | undefined,
  unknown,
  { roomId: string }
>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/join',
  schema: { body: joinBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId } = request.params;
    if (!roomId.startsWith('!')) throw invalidParam(`${roomId} is not a room id`);
    takeUnlessExempt(ctx.rateLimits.joins, user, ctx.now());
    const body = request.body ?? {};
    await joinRoomAnywhere(ctx, {
      roomId,
      userId: user.userId,
      reason: body.reason,
      content: body as JsonObject,
      servers: [],
    });
    return { room_id: roomId };
  },
});
