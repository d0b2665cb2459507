// POST /_matrix/client/v3/rooms/{roomId}/kick
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidkick
// Kicking revokes an invite or refuses a knock too; a user not in the room cannot be kicked (403).
import { type TargetUserBody, targetUserBody } from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { kickUser } from '../../rooms/membership-actions.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postKickUser = defineEndpoint<Context, TargetUserBody, unknown, { roomId: string }>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/kick',
  schema: { body: targetUserBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await kickUser(roomDepsOf(ctx), {
      roomId: request.params.roomId,
      sender: user.userId,
      target: request.body.user_id,
      reason: request.body.reason,
    });
    return {};
  },
});
