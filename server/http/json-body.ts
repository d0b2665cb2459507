// Matrix request bodies are JSON whatever Content-Type a client sends (many send none), so one
// parser takes every content type. Endpoints that take raw bytes (media upload) register their own
// parser in their own plugin scope.
import type { FastifyInstance } from 'fastify';
import { notJson } from './matrix-error.ts';

export function useJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(notJson('Content not JSON.'), undefined);
    }
  });
}
