// Matrix request bodies are JSON whatever Content-Type a client sends (many send none), so one
// parser takes every content type. Endpoints that take raw bytes (media upload) register their own
// parser in their own plugin scope.
import type { FastifyInstance } from 'fastify';
import { notJson } from './matrix-error.ts';

// JSON text is UTF-8 (RFC 8259); a lenient decoder would turn bad bytes into U+FFFD and let a
// corrupted body through as if the client had sent that character.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function useJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(notJson('Content not valid UTF-8.'), undefined);
      return;
    }
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
