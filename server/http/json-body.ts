// Matrix request bodies are JSON whatever Content-Type a client sends (many send none), so one
// parser takes every content type. Endpoints that take raw bytes (media upload) register their own
// parser in their own plugin scope.
import type { FastifyInstance } from 'fastify';
import { badJson, notJson } from './matrix-error.ts';

// JSON text is UTF-8 (RFC 8259); a lenient decoder would turn bad bytes into U+FFFD and let a
// corrupted body through as if the client had sent that character.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

// Deeper bodies are refused: the canonical JSON encoder, JSON.stringify and every other walk
// over a value recurse once per level, and a body of 10,000 nested objects (60 KB) overflowed
// the stack in them and became a 500 (found by the endpoint fuzzer). No Matrix body or event
// comes near this; the stack does not overflow before several thousand.
export const MAX_JSON_DEPTH = 512;

/** True if arrays and objects in `value` nest more than `limit` deep. Iterative: the point. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (depth > limit) return true;
    for (const child of Object.values(node as object)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      done(notJson('Content not JSON.'), undefined);
      return;
    }
    if (typeof parsed === 'object' && parsed !== null && nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
      done(badJson(`JSON nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
      return;
    }
    done(null, parsed);
  });
}
