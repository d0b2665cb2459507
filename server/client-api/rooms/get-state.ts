// GET /_matrix/client/v3/rooms/{roomId}/state
// GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidstate
import type { Context } from '../../context.ts';
import { stateKey as keyOf } from '../../core/state-map.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { toClientEvent } from '../../rooms/client-event.ts';
import { getCurrentState, getEvent, getEvents } from '../../storage/events.ts';
import { requireJoined } from './room-access.ts';

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
    const { roomId } = request.params;
    await requireJoined(ctx, roomId, user.userId);
    const events = await getEvents(ctx.db, [...(await getCurrentState(ctx.db, roomId)).values()]);
    return [...events.values()].map((event) => toClientEvent(event, ctx.now()));
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
      await requireJoined(ctx, roomId, user.userId);
      const eventId = (await getCurrentState(ctx.db, roomId)).get(keyOf(eventType, stateKey));
      const event = eventId === undefined ? undefined : await getEvent(ctx.db, eventId);
      if (!event) throw notFound(`No ${eventType} state with key "${stateKey}" in the room`);
      return request.query.format === 'event' ? toClientEvent(event, ctx.now()) : event.pdu.content;
    },
  });
}

export const getStateEventEndpoints = [
  getStateEventAt('/_matrix/client/v3/rooms/:roomId/state/:eventType'),
  getStateEventAt('/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey'),
];
