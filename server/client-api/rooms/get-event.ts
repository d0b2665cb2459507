// GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomideventeventid
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { toClientEvent } from '../../rooms/client-event.ts';
import { getEvent } from '../../storage/events.ts';
import { requireJoined } from './room-access.ts';

export const getRoomEvent = defineEndpoint<
  Context,
  unknown,
  unknown,
  { roomId: string; eventId: string }
>({
  method: 'GET',
  path: '/_matrix/client/v3/rooms/:roomId/event/:eventId',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, eventId } = request.params;
    await requireJoined(ctx, roomId, user.userId);
    const event = await getEvent(ctx.db, eventId);
    if (!event || event.roomId !== roomId || event.rejectedReason !== null || event.outlier) {
      throw notFound('Event not found');
    }
    return toClientEvent(event, ctx.now());
  },
});
