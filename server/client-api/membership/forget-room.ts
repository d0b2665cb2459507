// POST /_matrix/client/v3/rooms/{roomId}/forget
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidforget
// The spec gives this endpoint no request body, so none is read or required.
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { forgetRoom } from '../../rooms/forget-room.ts';

export const postForgetRoom = defineEndpoint<Context, unknown, unknown, { roomId: string }>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/forget',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await forgetRoom(ctx.db, {
      userId: user.userId,
      roomId: request.params.roomId,
      now: ctx.now(),
    });
    return {};
  },
});
