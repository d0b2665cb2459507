// Every endpoint under server/client-api/rooms/, for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { postCreateRoom } from './create-room.ts';
import { getRoomEvent } from './get-event.ts';
import { getRoomState, getStateEventEndpoints } from './get-state.ts';
import { putStateEndpoints } from './put-state.ts';
import { putSendMessage } from './send-message.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const roomEndpoints: Endpoint<Context, any, any, any>[] = [
  postCreateRoom,
  putSendMessage,
  ...putStateEndpoints,
  getRoomState,
  ...getStateEventEndpoints,
  getRoomEvent,
];
