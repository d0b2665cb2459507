// Every endpoint under server/client-api/presence/, for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { getPresenceStatus } from './get-presence.ts';
import { putPresence } from './put-presence.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const presenceEndpoints: Endpoint<Context, any, any, any>[] = [
  getPresenceStatus,
  putPresence,
];
