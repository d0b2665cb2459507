// GET /_matrix/client/v3/directory/list/room/{roomId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3directorylistroomroomid
// Needs no access token (the spec gives none).
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { isRoomPublished } from '../../storage/public-rooms.ts';

export const getRoomVisibility = defineEndpoint<Context, unknown, unknown, { roomId: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/directory/list/room/:roomId',
  handler: async (ctx, request) => {
    const published = await isRoomPublished(ctx.db, request.params.roomId);
    if (published === undefined) throw notFound('Room not found');
    return { visibility: published ? 'public' : 'private' };
  },
});
