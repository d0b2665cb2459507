// POST /_matrix/client/v3/rooms/{roomId}/leave
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidleave
// Also rejects an invite or retracts a knock. The room is not forgotten as well (Cairn does not
// advertise m.forget_forced_upon_leave).

import { leaveRemoteRoom } from '../../../federation/rooms/leave-remote-room.ts';
import { type ReasonBody, reasonBody } from '../../../schemas/requests/membership.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { leaveRoom } from '../../rooms/membership-actions.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';
import { getMembership } from '../../storage/events.ts';
import { isServerInRoom } from '../../storage/room-servers.ts';

export const postLeaveRoom = defineEndpoint<
  Context,
  ReasonBody | undefined,
  unknown,
  { roomId: string }
>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/leave',
  schema: { body: reasonBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId } = request.params;
    // An invite or knock to a room we are not in can only be undone through a server that is.
    if (!(await isServerInRoom(ctx.db, roomId, ctx.config.serverName))) {
      const membership = await getMembership(ctx.db, roomId, user.userId);
      if (membership === 'invite' || membership === 'knock') {
        await leaveRemoteRoom(ctx, roomId, user.userId);
        return {};
      }
    }
    await leaveRoom(roomDepsOf(ctx), {
      roomId: request.params.roomId,
      sender: user.userId,
      reason: request.body?.reason,
    });
    return {};
  },
});
