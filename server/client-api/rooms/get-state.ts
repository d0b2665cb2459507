// GET /_matrix/client/v3/rooms/{roomId}/state
// GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidstate
// A user who left sees the state as it was when they left (server/rooms/reader-state.ts).
import type { Context } from '../../context.ts';
import { stateKey as keyOf } from '../../core/state-map.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { readableState } from '../../rooms/reader-state.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { getEvent, getEvents } from '../../storage/events.ts';
import { requireRoomReader } from './room-access.ts';

interface Params {
  roomId: string;
  eventType?: string;
  stateKey?: string;
}

export const getRoomState = defineEndpoint<Context, unknown, unknown, Params>({
  method: 'GET',
  path: '/_matrix/client/v3/rooms/:roomId/state',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const reader = await requireRoomReader(ctx, request.params.roomId, user.userId);
    const events = await getEvents(ctx.db, [...(await readableState(ctx.db, reader)).values()]);
    return serveEvents(ctx.db, reader, [...events.values()], { now: ctx.now(), aggregate: false });
  },
});

function getStateEventAt(path: string) {
  return defineEndpoint<Context, unknown, { format?: string }, Params>({
    method: 'GET',
    path,
    schema: {
      querystring: { type: 'object', properties: { format: { enum: ['content', 'event'] } } },
    },
    handler: async (ctx, request) => {
      const user = await requireUser(ctx, request);
      const { roomId, eventType = '', stateKey = '' } = request.params;
      const reader = await requireRoomReader(ctx, roomId, user.userId);
      const eventId = (await readableState(ctx.db, reader)).get(keyOf(eventType, stateKey));
      const event = eventId === undefined ? undefined : await getEvent(ctx.db, eventId);
      if (!event) throw notFound(`No ${eventType} state with key "${stateKey}" in the room`);
      const [served] = await serveEvents(ctx.db, reader, [event], {
        now: ctx.now(),
        aggregate: false,
      });
      return request.query.format === 'event' ? served : served?.content;
    },
  });
}

export const getStateEventEndpoints = [
  getStateEventAt('/_matrix/client/v3/rooms/:roomId/state/:eventType'),
  getStateEventAt('/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey'),
];
