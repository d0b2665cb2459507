// GET /_matrix/federation/v1/version
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1version
import type { Context } from '../../server/context.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';

export const getFederationVersion = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/federation/v1/version',
  handler: (ctx) => ({ server: { name: 'Cairn', version: ctx.version } }),
});
