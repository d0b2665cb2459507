// Every endpoint under server/client-api/to-device/ (send-to-device messaging), for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { sendToDevice } from './send-to-device.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const toDeviceEndpoints: Endpoint<Context, any, any, any>[] = [sendToDevice];
