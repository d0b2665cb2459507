// GET /health: 200 "OK" when the server can reach its database, 503 otherwise.
// Not part of the Matrix spec; the same path Synapse uses, so existing probes keep working.
import { sql } from 'kysely';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

export const getHealth = defineEndpoint<Context>({
  method: 'GET',
  path: '/health',
  handler: async (ctx, request, reply) => {
    try {
      await sql`SELECT 1`.execute(ctx.db);
    } catch (err) {
      request.log.warn({ err }, 'health check: database unreachable');
      return reply.status(503).type('text/plain').send('database unreachable');
    }
    return reply.type('text/plain').send('OK');
  },
});
