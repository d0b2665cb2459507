// Every endpoint under server/client-api/ephemeral/ (receipts, read markers, typing), for
// server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { postReadMarkers } from './post-read-markers.ts';
import { postReceipt } from './post-receipt.ts';
import { putTyping } from './put-typing.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const ephemeralEndpoints: Endpoint<Context, any, any, any>[] = [
  postReceipt,
  postReadMarkers,
  putTyping,
];
