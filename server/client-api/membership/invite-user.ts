// POST /_matrix/client/v3/rooms/{roomId}/invite
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidinvite
// A user already invited is answered 200 without a second invite, as the spec allows.
import { type TargetUserBody, targetUserBody } from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { takeUnlessExempt } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';
import { inviteUser } from '../../rooms/membership-actions.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postInviteUser = defineEndpoint<Context, TargetUserBody, unknown, { roomId: string }>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/invite',
  schema: { body: targetUserBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    takeUnlessExempt(ctx.rateLimits.invites, user, ctx.now());
    await inviteUser(roomDepsOf(ctx), {
      roomId: request.params.roomId,
      sender: user.userId,
      target: request.body.user_id,
      reason: request.body.reason,
    });
    return {};
  },
});
