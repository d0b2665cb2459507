// POST /_matrix/client/v3/rooms/{roomId}/unban
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidunban
// Only a banned user can be unbanned (403 M_BAD_STATE otherwise); they are left with membership leave.
import { type TargetUserBody, targetUserBody } from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { unbanUser } from '../../rooms/membership-actions.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postUnbanUser = defineEndpoint<Context, TargetUserBody, unknown, { roomId: string }>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/unban',
  schema: { body: targetUserBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    await unbanUser(roomDepsOf(ctx), {
      roomId: request.params.roomId,
      sender: user.userId,
      target: request.body.user_id,
      reason: request.body.reason,
    });
    return {};
  },
});
