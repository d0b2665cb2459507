// A federation peer played by a test, with a fault it can switch on and off: down (nothing
// listens), slow (answers after 60 s), or one of several kinds of garbage in place of a
// transaction's answer. It serves its signing key always (Cairn must be able to verify what it
// signed), joins a room on a Cairn process through make_join/send_join, and records every
// transaction Cairn tries (when, which txnId, which message bodies, what became of it) and the
// connections Cairn holds open to it.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { ownServerKeys } from '../../federation/keys/own-server-keys.ts';
import { createFederationTransport } from '../../federation/transport/federation-transport.ts';
import { xMatrixSigner } from '../../federation/transport/x-matrix.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import { toServerSigningKey } from '../../server/keys/signing-key-file.ts';
import type { TestCa } from '../support/test-tls.ts';

export type PeerMode =
  | 'healthy'
  | 'down'
  | 'slow'
  | 'not-json'
  | 'wrong-json'
  | 'truncated'
  | 'huge'
  | 'status-500';

export const SLOW_ANSWER_MS = 60_000;
/**
 * What the `huge` peer writes at most: far over Cairn's 16 MiB reply limit, and far over that
 * limit plus what loopback TCP buffers hold once Cairn stops reading (Linux autotunes a receive
 * buffer up to tcp_rmem's maximum, 32 MiB on these machines, besides a 4 MiB send buffer).
 */
export const HUGE_BODY_BYTES = 256 * 1024 * 1024;

export interface TransactionAttempt {
  /** The server that sent it (X-Matrix origin). */
  readonly origin: string;
  /** ms since the peer started. */
  readonly at: number;
  readonly txnId: string;
  readonly bodies: string[];
  /** `accepted`: answered 200 with a proper reply; `aborted`: Cairn gave up before an answer. */
  outcome: 'accepted' | 'aborted' | 'garbage' | 'pending';
  /** When the outcome was known, ms after `at`. */
  settledAfterMs?: number;
  /** `huge`: bytes written before Cairn closed the connection. */
  bytesWritten?: number;
}

export interface FakePeer {
  readonly name: string;
  readonly port: number;
  mode: PeerMode;
  readonly attempts: TransactionAttempt[];
  /** Connections open now and the most at once (from anyone). */
  readonly connections: { open: number; max: number };
  /** Requests in flight now and the most at once, by X-Matrix origin. */
  readonly inFlight: Map<string, { open: number; max: number }>;
  /** Every request but key fetches and transactions, as `METHOD path`. */
  readonly otherRequests: string[];
  /** Joins `userLocalpart` to `roomId` on `via`. */
  join(via: string, roomId: string, userLocalpart: string): Promise<void>;
  /** A signed request to `via`: Cairn hears from us. */
  hello(via: string, userId: string): Promise<number>;
  /** Stops listening and drops every connection: connection refused from now on. */
  goDown(): Promise<void>;
  /** Listens again on the same port (after goDown) and answers properly. */
  recover(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakePeer(
  name: string,
  ca: TestCa,
  cairnAddresses: Map<string, string>,
): Promise<FakePeer> {
  const seed = createHash('sha256').update(name).digest();
  const key = toServerSigningKey({ algorithm: 'ed25519', version: 'fault', seed });
  const certificate = ca.issue({ dns: [name] });
  const started = performance.now();
  const held = new Set<() => void>();
  const sockets = new Set<Socket>();
  const peer = {
    name,
    port: 0,
    mode: 'healthy' as PeerMode,
    attempts: [] as TransactionAttempt[],
    connections: { open: 0, max: 0 },
    inFlight: new Map<string, { open: number; max: number }>(),
    otherRequests: [] as string[],
  };

  const answer = (response: ServerResponse, attempt?: TransactionAttempt) => {
    const settle = (outcome: TransactionAttempt['outcome']) => {
      if (attempt?.outcome !== 'pending') return;
      attempt.outcome = outcome;
      attempt.settledAfterMs = performance.now() - started - attempt.at;
    };
    response.once('close', () => {
      if (!response.writableFinished) settle('aborted');
    });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const mode = peer.mode;
    if (mode === 'healthy') {
      if (!attempt) return json(404, { errcode: 'M_NOT_FOUND', error: 'not here' });
      settle('accepted');
      return json(200, { pdus: {} });
    }
    if (mode === 'slow') {
      // Accepts, then sits on the request; a recovery answers at once.
      const reply = () => {
        held.delete(reply);
        clearTimeout(timer);
        if (response.writableEnded || response.destroyed) return;
        if (attempt) settle('accepted');
        json(attempt ? 200 : 404, attempt ? { pdus: {} } : { errcode: 'M_NOT_FOUND' });
      };
      const timer = setTimeout(reply, SLOW_ANSWER_MS);
      held.add(reply);
      response.once('close', () => {
        clearTimeout(timer);
        held.delete(reply);
      });
      return;
    }
    settle('garbage');
    if (mode === 'not-json') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<html><body>502 Bad Gateway</body></html>');
    }
    if (mode === 'wrong-json') return json(200, ['this', 'is', 'not', 'a', 'transaction reply']);
    if (mode === 'status-500') {
      response.writeHead(500, { 'content-type': 'text/plain' });
      return response.end('Internal Server Error');
    }
    if (mode === 'truncated') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      response.write('{"pdus": {"$a": {}, "$b": ');
      // The rest never comes: the connection ends mid-body.
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    }
    if (mode === 'huge') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"pdus": {}, "padding": "');
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let written = 0;
      const pump = () => {
        while (written < HUGE_BODY_BYTES && !response.destroyed) {
          written += chunk.length;
          if (attempt) attempt.bytesWritten = written;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        if (!response.destroyed) response.end('"}');
      };
      pump();
      return;
    }
  };

  const server: Server = createServer(
    { cert: certificate.certPem, key: certificate.keyPem },
    (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => {
        body += chunk;
      });
      const origin = /origin="?([^",]+)/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const counts = peer.inFlight.get(origin) ?? { open: 0, max: 0 };
      peer.inFlight.set(origin, counts);
      counts.max = Math.max(counts.max, ++counts.open);
      response.once('close', () => counts.open--);
      request.on('end', () => {
        const url = request.url ?? '';
        if (url === '/_matrix/key/v2/server') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify(
              ownServerKeys({
                config: { serverName: name, serverKeyValidityHours: 24 } as never,
                signingKey: key,
                now: Date.now,
              }),
            ),
          );
          return;
        }
        const send = /^\/_matrix\/federation\/v1\/send\/([^/?]+)/.exec(url);
        if (!send || request.method !== 'PUT') {
          peer.otherRequests.push(`${request.method} ${url}`);
          answer(response);
          return;
        }
        let pdus: Pdu[] = [];
        try {
          pdus = (JSON.parse(body) as { pdus?: Pdu[] }).pdus ?? [];
        } catch {
          // Recorded with no bodies.
        }
        const attempt: TransactionAttempt = {
          origin,
          at: performance.now() - started,
          txnId: decodeURIComponent(send[1]!),
          bodies: pdus
            .map((pdu) => (pdu.content as { body?: unknown }).body)
            .filter((each): each is string => typeof each === 'string'),
          outcome: 'pending',
        };
        peer.attempts.push(attempt);
        answer(response, attempt);
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    peer.connections.open++;
    peer.connections.max = Math.max(peer.connections.max, peer.connections.open);
    socket.once('close', () => {
      sockets.delete(socket);
      peer.connections.open--;
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  peer.port = address.port;
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  const transport = createFederationTransport(
    {
      federationCaFile: ca.certPath,
      federationVerifyTls: true,
      federationAllowPrivateNetworks: true,
      federationServerAddresses: cairnAddresses,
    },
    { warn: () => {} },
    { authorize: xMatrixSigner(name, key) },
  );
  const version = getRoomVersion('10')!;
  const signer = { serverName: name, keyId: key.keyId, key: key.privateKey };
  const enc = encodeURIComponent;

  return Object.assign(peer, {
    async join(via: string, roomId: string, userLocalpart: string) {
      const userId = `@${userLocalpart}:${name}`;
      const made = await transport.client.request(via, {
        method: 'GET',
        path: `/_matrix/federation/v1/make_join/${enc(roomId)}/${enc(userId)}?ver=10`,
      });
      const template = (made.body as { event: Pdu }).event;
      const join = withEventId(
        version,
        hashAndSignEvent(version, { ...template, origin_server_ts: Date.now() }, signer),
      );
      await transport.client.request(via, {
        method: 'PUT',
        path: `/_matrix/federation/v2/send_join/${enc(roomId)}/${enc(join.eventId)}`,
        body: join.pdu,
      });
    },
    async hello(via: string, userId: string) {
      const reply = await transport.client.request(via, {
        method: 'GET',
        path: `/_matrix/federation/v1/query/profile?user_id=${enc(userId)}`,
      });
      return reply.status;
    },
    async goDown() {
      peer.mode = 'down';
      await stopListening();
    },
    async recover() {
      if (!server.listening) await listen(peer.port);
      peer.mode = 'healthy';
      for (const reply of [...held]) reply();
    },
    async close() {
      for (const reply of [...held]) reply();
      if (server.listening) await stopListening();
      await transport.close();
    },
  });
}
