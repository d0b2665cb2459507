// Every endpoint under server/client-api/rooms/, for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { postCreateRoom } from './create-room.ts';
import { getEventContext } from './get-context.ts';
import { getRoomEvent } from './get-event.ts';
import { getMessages } from './get-messages.ts';
import { getRelationsEndpoints } from './get-relations.ts';
import { getRoomState, getStateEventEndpoints } from './get-state.ts';
import { getThreads } from './get-threads.ts';
import { putStateEndpoints } from './put-state.ts';
import { putRedactEvent } from './redact-event.ts';
import { putSendMessage } from './send-message.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const roomEndpoints: Endpoint<Context, any, any, any>[] = [
  postCreateRoom,
  putSendMessage,
  ...putStateEndpoints,
  getRoomState,
  ...getStateEventEndpoints,
  getRoomEvent,
  getMessages,
  getEventContext,
  putRedactEvent,
  ...getRelationsEndpoints,
  getThreads,
];
