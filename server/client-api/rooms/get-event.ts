// GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomideventeventid
// 404 alike for an unknown event and for one the user may not see (history visibility).
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { requireVisibleEvent } from './room-access.ts';

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
    const { reader, event } = await requireVisibleEvent(ctx, roomId, eventId, user.userId);
    const [served] = await serveEvents(ctx.db, reader, [event], {
      now: ctx.now(),
      deviceId: user.deviceId,
    });
    return served;
  },
});
