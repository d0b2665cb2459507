// JSON replies say `Content-Type: application/json`, without the `; charset=utf-8` fastify
// appends: JSON is UTF-8 by definition (RFC 8259, which defines no charset parameter), and
// Synapse sends the bare type, which clients and Complement compare exactly.
import type { FastifyInstance } from 'fastify';

const JSON_WITH_CHARSET = /^application\/json;\s*charset=utf-8$/i;

export function useBareJsonContentType(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && JSON_WITH_CHARSET.test(type)) {
      reply.header('content-type', 'application/json');
    }
    return payload;
  });
}
