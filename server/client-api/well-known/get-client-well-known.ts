// GET /.well-known/matrix/client
// https://spec.matrix.org/latest/client-server-api/#getwell-knownmatrixclient
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

export const getClientWellKnown = defineEndpoint<Context>({
  method: 'GET',
  path: '/.well-known/matrix/client',
  handler: (ctx, _request, reply) => {
    // Browsers fetch this cross-origin before they know anything else about the server.
    reply.header('access-control-allow-origin', '*');
    return { 'm.homeserver': { base_url: ctx.config.publicBaseurl } };
  },
});
