// Who may read a room's anchoring record and its archived events (event ids, heads, the events
// themselves): anyone for rooms published in the room directory, otherwise the room's current
// members and server admins, with an access token.
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { forbidden } from '../http/matrix-error.ts';
import { accessTokenOf, requireUser } from '../http/require-user.ts';
import { getMembership } from '../storage/events.ts';

export async function requireRoomHistoryAccess(
  ctx: Context,
  request: FastifyRequest,
  roomId: string,
): Promise<void> {
  const room = await ctx.db
    .selectFrom('rooms')
    .select('is_public')
    .where('room_id', '=', roomId)
    .executeTakeFirst();
  if (room?.is_public) return;
  if (accessTokenOf(request) === undefined && room !== undefined) {
    throw forbidden('This room is not public: give an access token of a member');
  }
  const user = await requireUser(ctx, request);
  if (user.isAdmin) return;
  if (room && (await getMembership(ctx.db, roomId, user.userId)) === 'join') return;
  throw forbidden('Only members of the room (or server admins) may read its history');
}
