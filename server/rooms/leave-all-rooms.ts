// Takes a user out of every room this server has them in (joined, invited or knocking), as
// account deactivation asks. Each room is its own event; one refusing (it cannot, for a user
// leaving themselves, but a failure is possible) is logged and the rest go on.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3accountdeactivate
import type { Context } from '../context.ts';
import { listRoomsWithMembership } from '../storage/room-members.ts';
import { leaveRoom } from './membership-actions.ts';
import { roomDepsOf } from './room-deps.ts';

export async function leaveAllRooms(ctx: Context, userId: string): Promise<void> {
  const deps = roomDepsOf(ctx);
  for (const membership of ['join', 'invite', 'knock']) {
    for (const roomId of await listRoomsWithMembership(ctx.db, userId, membership)) {
      try {
        await leaveRoom(deps, { roomId, sender: userId });
      } catch (err) {
        ctx.logger.warn({ err, roomId, userId }, 'could not leave room for deactivation');
      }
    }
  }
}
