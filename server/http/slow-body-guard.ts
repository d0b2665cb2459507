// Drops requests whose body does not keep moving. Node bounds the time to send the headers
// (headersTimeout) and, optionally, the whole request (requestTimeout); a total is wrong for
// media uploads, which may take many minutes on a slow link and must not be cut, and nothing at
// all lets a client trickle a body one byte every few seconds and hold a connection and a
// handler forever (slowloris). So the limit is on progress: in every `timeoutMs` period at least
// `minBytesPerSecond` x that many seconds must arrive, else the connection is closed.
// Time spent waiting on us (the handler not reading: backpressure) does not count against the
// client.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface BodyProgressLimit {
  readonly timeoutMs: number;
  readonly minBytesPerSecond: number;
}

export function useSlowBodyGuard(app: FastifyInstance, limit: BodyProgressLimit): void {
  const minBytes = Math.ceil((limit.minBytesPerSecond * limit.timeoutMs) / 1000);
  app.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (!hasBody(raw) || raw.complete) {
      done();
      return;
    }
    const socket = raw.socket;
    let lastRead = socket.bytesRead;
    const timer = setInterval(() => {
      if (raw.complete || socket.destroyed) {
        clearInterval(timer);
        return;
      }
      const read = socket.bytesRead;
      // Data read but not yet taken by the handler, or the socket paused for it: our side is slow.
      const waitingOnUs = raw.readableLength > 0 || socket.isPaused();
      if (!waitingOnUs && read - lastRead < minBytes) {
        clearInterval(timer);
        request.log.info(
          { bytesInPeriod: read - lastRead, periodMs: limit.timeoutMs },
          'request body too slow: closing the connection',
        );
        socket.destroy();
        return;
      }
      lastRead = read;
    }, limit.timeoutMs);
    timer.unref();
    reply.raw.once('close', () => clearInterval(timer));
    done();
  });
}

function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return raw.headers['transfer-encoding'] !== undefined;
}
