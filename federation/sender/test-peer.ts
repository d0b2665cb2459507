// For the sender's tests: a real HTTPS server on loopback standing in for other homeservers (the
// Host header says which), with a certificate from a test CA, and the real outbound transport
// pointed at it through federation_server_addresses. It records every PUT /send, answers as the
// test says (200, an error, or later), and processes a txnId once, as a peer's txnId cache does.
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:net';
import {
  createTestCa,
  type SeenRequest,
  sendJson,
  startHttpsServer,
  type TestHttpsServer,
} from '../../conformance-tests/support/test-tls.ts';
import type { ServerSigningKey } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import {
  createFederationTransport,
  type FederationTransport,
} from '../transport/federation-transport.ts';
import { xMatrixSigner } from '../transport/x-matrix.ts';

export interface SentTransaction {
  readonly destination: string;
  readonly txnId: string;
  readonly origin: string;
  readonly pdus: JsonObject[];
  readonly edus: JsonObject[];
  /** When it arrived (Date.now()). */
  readonly at: number;
  readonly authorization: string | undefined;
}

/** How the peer answers an attempt: a status (or a status and a body of its own), after an
 * optional wait. */
export type Answer = (
  txn: SentTransaction,
) => number | AnswerWithBody | Promise<number | AnswerWithBody>;

export interface AnswerWithBody {
  readonly status: number;
  readonly body: unknown;
}

export interface TestPeers {
  /** Every attempt, in arrival order. */
  readonly attempts: SentTransaction[];
  answer: Answer;
  /**
   * Holds the next attempt to `destination` unanswered until release() (answer() then decides);
   * resolves `held` when it arrives. releaseAll() (also done by close) lets every hold go.
   */
  hold(destination: string): { held: Promise<void>; release: () => void };
  releaseAll(): void;
  /** The transactions a destination processed (answered 200, first time for its txnId). */
  processed(destination: string): SentTransaction[];
  /** The most attempts a destination had in flight at once. */
  maxInFlight(destination: string): number;
  /** Routes `name` to these peers (or, with `down`, to a port where nothing listens). */
  route(name: string, options?: { down?: boolean }): void;
  readonly addresses: Map<string, string>;
  transport(origin: string, key: ServerSigningKey): FederationTransport;
  close(): Promise<void>;
}

export async function startTestPeers(names: readonly string[]): Promise<TestPeers> {
  const ca = createTestCa();
  const certificate = ca.issue({ dns: [...names] });
  const attempts: SentTransaction[] = [];
  const processed = new Map<string, SentTransaction[]>();
  const seenTxnIds = new Set<string>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const transports: FederationTransport[] = [];
  const holds = new Map<string, { arrived: () => void; released: Promise<void> }>();
  const releases = new Set<() => void>();
  const peers: TestPeers = {
    attempts,
    answer: () => 200,
    hold(destination) {
      let arrived!: () => void;
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      releases.add(release);
      holds.set(destination, { arrived, released });
      return { held, release };
    },
    releaseAll() {
      for (const release of releases) release();
      releases.clear();
      holds.clear();
    },
    processed: (destination) => processed.get(destination) ?? [],
    maxInFlight: (destination) => maxInFlight.get(destination) ?? 0,
    route(name, options = {}) {
      addresses.set(name, `127.0.0.1:${options.down ? closedPort : server.port}`);
    },
    addresses: new Map(),
    transport(origin, key) {
      const transport = createFederationTransport(
        {
          federationCaFile: ca.certPath,
          federationVerifyTls: true,
          federationAllowPrivateNetworks: true,
          federationServerAddresses: peers.addresses,
        },
        { warn: () => {} },
        { authorize: xMatrixSigner(origin, key) },
      );
      transports.push(transport);
      return transport;
    },
    async close() {
      peers.releaseAll();
      await Promise.all(transports.map((transport) => transport.close()));
      await server.close();
    },
  };
  const addresses = peers.addresses;

  const handle = async (request: SeenRequest, response: ServerResponse) => {
    const match = /^\/_matrix\/federation\/v1\/send\/([^/?]+)$/.exec(request.url);
    if (request.method !== 'PUT' || !match) return sendJson(response, 404, {});
    const destination = (request.headers.host ?? '').replace(/:\d+$/, '');
    const body = JSON.parse(request.body) as JsonObject;
    const txn: SentTransaction = {
      destination,
      txnId: decodeURIComponent(match[1]!),
      origin: String(body.origin),
      pdus: (body.pdus as JsonObject[] | undefined) ?? [],
      edus: (body.edus as JsonObject[] | undefined) ?? [],
      at: Date.now(),
      authorization: request.headers.authorization,
    };
    attempts.push(txn);
    const now = (inFlight.get(destination) ?? 0) + 1;
    inFlight.set(destination, now);
    maxInFlight.set(destination, Math.max(now, maxInFlight.get(destination) ?? 0));
    try {
      const hold = holds.get(destination);
      if (hold) {
        holds.delete(destination);
        hold.arrived();
        await hold.released;
      }
      const answer = await peers.answer(txn);
      const status = typeof answer === 'number' ? answer : answer.status;
      const key = `${destination} ${txn.txnId}`;
      if (typeof answer === 'number' && status === 200 && !seenTxnIds.has(key)) {
        seenTxnIds.add(key);
        processed.set(destination, [...peers.processed(destination), txn]);
      }
      const body = status === 200 ? { pdus: {} } : { errcode: 'M_UNKNOWN' };
      sendJson(response, status, typeof answer === 'number' ? body : JSON.stringify(answer.body));
    } finally {
      inFlight.set(destination, (inFlight.get(destination) ?? 1) - 1);
    }
  };
  const server: TestHttpsServer = await startHttpsServer(certificate, (request, response) => {
    void handle(request, response);
  });
  const closedPort = await freePort();
  return peers;
}

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
