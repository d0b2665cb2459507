// GET /.well-known/matrix/server
// https://spec.matrix.org/latest/server-server-api/#getwell-knownmatrixserver
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

export const getServerWellKnown = defineEndpoint<Context>({
  method: 'GET',
  path: '/.well-known/matrix/server',
  handler: (ctx) => ({ 'm.server': ctx.config.federationPublicAddress }),
});
