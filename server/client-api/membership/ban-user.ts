// POST /_matrix/client/v3/rooms/{roomId}/ban
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidban
// Any user can be banned, in the room or not: a ban also keeps out those who never joined.
import { type TargetUserBody, targetUserBody } from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { banUser } from '../../rooms/membership-actions.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postBanUser = defineEndpoint<Context, TargetUserBody, unknown, { roomId: string }>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/ban',
  schema: { body: targetUserBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await banUser(roomDepsOf(ctx), {
      roomId: request.params.roomId,
      sender: user.userId,
      target: request.body.user_id,
      reason: request.body.reason,
    });
    return {};
  },
});
