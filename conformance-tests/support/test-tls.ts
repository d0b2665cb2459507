// TLS material and servers for tests: a throwaway CA, certificates it signs (written to files,
// as a user's would be), and real HTTPS servers on loopback that record what they were asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import {
  generateCertificate,
  type PemPair,
} from '../../federation/transport/openssl-certificates.ts';

export interface IssuedCertificate extends PemPair {
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TestCa extends IssuedCertificate {
  issue(names: { dns?: string[]; ip?: string[] }): IssuedCertificate;
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-test-ca-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  const save = (name: string, pair: PemPair): IssuedCertificate => {
    const certPath = join(dir, `${name}.crt`);
    const keyPath = join(dir, `${name}.key`);
    writeFileSync(certPath, pair.certPem);
    writeFileSync(keyPath, pair.keyPem, { mode: 0o600 });
    return { ...pair, certPath, keyPath };
  };
  const ca = save('ca', generateCertificate({ commonName: 'Cairn Test CA', days: 2, isCa: true }));
  return {
    ...ca,
    issue: ({ dns = [], ip = [] }) =>
      save(
        `leaf-${++count}`,
        generateCertificate({
          commonName: dns[0] ?? ip[0] ?? 'leaf',
          dnsNames: dns,
          ipAddresses: ip,
          days: 2,
          issuer: ca,
        }),
      ),
  };
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The TLS server name (SNI) the client sent, or false when it sent none. */
  readonly servername: string | false;
  /** The client's port: the same across requests on a kept-alive connection. */
  readonly remotePort: number | undefined;
  readonly body: string;
}

export interface TestHttpsServer {
  readonly port: number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (request: SeenRequest, response: ServerResponse) => void;

export async function startHttpsServer(
  certificate: PemPair,
  handler: Handler,
): Promise<TestHttpsServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer(
    { cert: certificate.certPem, key: certificate.keyPem },
    (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const seen: SeenRequest = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          servername: (request.socket as TLSSocket).servername ?? false,
          remotePort: request.socket.remotePort,
          body,
        };
        requests.push(seen);
        handler(seen, response);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}
