// GET /_matrix/client/v3/joined_rooms
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3joined_rooms
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { listRoomsWithMembership } from '../../storage/room-members.ts';

export const getJoinedRooms = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/joined_rooms',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return { joined_rooms: await listRoomsWithMembership(ctx.db, user.userId, 'join') };
  },
});
