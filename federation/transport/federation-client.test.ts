// The outbound client against a real HTTPS server on 127.0.0.1 whose certificate (for fed.test
// and 127.0.0.1) comes from a test CA. Only the OS resolver is stood in for (fed.test ->
// 127.0.0.1), and, for the well-known case, port 443 is mapped to the test server's port.
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import {
  createTestCa,
  sendJson,
  startHttpsServer,
  type TestHttpsServer,
} from '../../conformance-tests/support/test-tls.ts';
import { ConfigError } from '../../server/config/load-config.ts';
import { guardedConnector } from './federation-agent.ts';
import {
  type Authorize,
  createFederationClient,
  FederationHttpError,
  FederationRequestError,
} from './federation-client.ts';
import { createFederationTransport, type FederationTransport } from './federation-transport.ts';
import { createServerNameResolver } from './resolve-server-name.ts';
import { wellKnownFetcher } from './well-known.ts';

const ca = createTestCa();
let server: TestHttpsServer;
let port: number;

before(async () => {
  const certificate = ca.issue({ dns: ['fed.test', 'delegator.test'], ip: ['127.0.0.1'] });
  server = await startHttpsServer(certificate, (request, response) => {
    switch (request.url) {
      case '/.well-known/matrix/server':
        return sendJson(response, 200, { 'm.server': `fed.test:${port}` });
      case '/_matrix/federation/v1/version':
        return sendJson(response, 200, { server: { name: 'Test', version: '1' } });
      case '/echo?x=1':
        return sendJson(response, 200, {
          method: request.method,
          host: request.headers.host,
          servername: request.servername,
          contentType: request.headers['content-type'] ?? null,
          authorization: request.headers.authorization ?? null,
          body: request.body,
        });
      case '/forbidden':
        return sendJson(response, 403, { errcode: 'M_FORBIDDEN', error: 'no' });
      case '/bad-gateway':
        response.writeHead(502, { 'content-type': 'text/html' });
        return response.end('<h1>Bad gateway</h1>');
      case '/not-json':
        response.writeHead(200, { 'content-type': 'text/plain' });
        return response.end('hello');
      case '/big':
        return sendJson(response, 200, { pad: 'x'.repeat(2 * 1024 * 1024) });
      case '/slow':
        setTimeout(() => sendJson(response, 200, {}), 2000);
        return;
      default:
        return sendJson(response, 404, { errcode: 'M_UNRECOGNIZED' });
    }
  });
  port = server.port;
});
after(() => server.close());

const lookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== 'fed.test' && hostname !== 'delegator.test') {
    callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
  } else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};
const noSrv = async (name: string) => {
  throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

interface Setup {
  transport: FederationTransport;
  warnings: string[];
}

function transportWith(
  config: Partial<{
    federationCaFile: string;
    federationVerifyTls: boolean;
    federationAllowPrivateNetworks: boolean;
    federationServerAddresses: ReadonlyMap<string, string>;
  }>,
  authorize?: Authorize,
): Setup {
  const warnings: string[] = [];
  const transport = createFederationTransport(
    {
      federationCaFile: config.federationCaFile,
      federationVerifyTls: config.federationVerifyTls ?? true,
      federationAllowPrivateNetworks: config.federationAllowPrivateNetworks ?? false,
      federationServerAddresses: config.federationServerAddresses ?? new Map(),
    },
    { warn: (_details, message) => warnings.push(message) },
    { lookup, resolveSrv: noSrv, ...(authorize ? { authorize } : {}) },
  );
  return { transport, warnings };
}

describe('federation client', () => {
  test('by default, loopback is refused, by name and by IP literal', async () => {
    const { transport } = transportWith({ federationCaFile: ca.certPath });
    for (const destination of [`fed.test:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      await assert.rejects(
        transport.client.request(destination, {
          method: 'GET',
          path: '/_matrix/federation/v1/version',
        }),
        (err: Error) =>
          err instanceof FederationRequestError && /not a public address/.test(err.message),
        destination,
      );
    }
    assert.equal(server.requests.length, 0, 'nothing reached the server');
    await transport.close();
  });

  test('with private networks allowed and the CA file trusted: Host, SNI and JSON as the spec says', async () => {
    const { transport, warnings } = transportWith({
      federationCaFile: ca.certPath,
      federationAllowPrivateNetworks: true,
    });
    assert.match(warnings.join('\n'), /federation_allow_private_networks is true/);
    const version = await transport.client.request(`fed.test:${port}`, {
      method: 'GET',
      path: '/_matrix/federation/v1/version',
    });
    assert.equal(version.status, 200);
    assert.deepEqual(version.body, { server: { name: 'Test', version: '1' } });

    const echo = await transport.client.request(`fed.test:${port}`, {
      method: 'PUT',
      path: '/echo?x=1',
      body: { hello: 'world' },
    });
    assert.deepEqual(echo.body, {
      method: 'PUT',
      host: `fed.test:${port}`,
      servername: 'fed.test',
      contentType: 'application/json',
      authorization: null,
      body: '{"hello":"world"}',
    });

    // An IP literal: Host is the server name, and no SNI is sent (the certificate names the IP).
    const byIp = await transport.client.request(`127.0.0.1:${port}`, {
      method: 'POST',
      path: '/echo?x=1',
    });
    assert.equal((byIp.body as Record<string, unknown>).host, `127.0.0.1:${port}`);
    assert.equal((byIp.body as Record<string, unknown>).servername, false);
    assert.equal((byIp.body as Record<string, unknown>).body, '');
    await transport.close();
  });

  test('federation_server_addresses: a fixed address skips discovery; Host and SNI stay the name', async () => {
    const { transport } = transportWith({
      federationCaFile: ca.certPath,
      federationAllowPrivateNetworks: true,
      // No well-known, SRV or A record exists for delegator.test here: only the fixed entry.
      federationServerAddresses: new Map([['delegator.test', `127.0.0.1:${port}`]]),
    });
    const echo = await transport.client.request('delegator.test', {
      method: 'GET',
      path: '/echo?x=1',
    });
    assert.equal((echo.body as Record<string, unknown>).host, 'delegator.test');
    assert.equal((echo.body as Record<string, unknown>).servername, 'delegator.test');
    assert.equal(
      server.requests.some((seen) => seen.url === '/.well-known/matrix/server'),
      false,
    );
    await transport.close();
  });

  test('connections are kept alive and reused', async () => {
    const { transport } = transportWith({
      federationCaFile: ca.certPath,
      federationAllowPrivateNetworks: true,
    });
    const before = server.requests.length;
    for (let i = 0; i < 4; i++) {
      await transport.client.request(`fed.test:${port}`, {
        method: 'GET',
        path: '/_matrix/federation/v1/version',
      });
    }
    // A request may start before the previous one has quite released its connection, so the
    // pool can open a second one; what matters is that connections serve several requests.
    const ports = server.requests.slice(before).map((r) => r.remotePort);
    assert.ok(new Set(ports).size < ports.length, `one connection per request: ${ports}`);
    await transport.close();
  });

  test('without the CA the certificate is refused; federation_verify_tls false accepts it, with a warning', async () => {
    const strict = transportWith({ federationAllowPrivateNetworks: true });
    await assert.rejects(
      strict.transport.client.request(`fed.test:${port}`, {
        method: 'GET',
        path: '/_matrix/federation/v1/version',
      }),
      (err: Error) => err instanceof FederationRequestError && /certificate/i.test(err.message),
    );
    await strict.transport.close();

    const lax = transportWith({ federationAllowPrivateNetworks: true, federationVerifyTls: false });
    assert.match(lax.warnings.join('\n'), /federation_verify_tls is false/);
    const response = await lax.transport.client.request(`fed.test:${port}`, {
      method: 'GET',
      path: '/_matrix/federation/v1/version',
    });
    assert.equal(response.status, 200);
    await lax.transport.close();
  });

  test('a CA file that cannot be read or holds no certificate is a configuration error', () => {
    assert.throws(() => transportWith({ federationCaFile: '/nonexistent/ca.pem' }), ConfigError);
    assert.throws(() => transportWith({ federationCaFile: ca.keyPath }), /no PEM certificate/);
  });

  test('the authorize hook signs every request with what it is given', async () => {
    const calls: unknown[][] = [];
    const { transport } = transportWith(
      { federationCaFile: ca.certPath, federationAllowPrivateNetworks: true },
      async (method, uri, destination, body) => {
        calls.push([method, uri, destination, body]);
        return 'X-Matrix origin="origin.test",destination="d",key="ed25519:a",sig="s"';
      },
    );
    const response = await transport.client.request(`fed.test:${port}`, {
      method: 'PUT',
      path: '/echo?x=1',
      body: { a: 1 },
    });
    assert.deepEqual(calls, [['PUT', '/echo?x=1', `fed.test:${port}`, { a: 1 }]]);
    assert.equal(
      (response.body as Record<string, unknown>).authorization,
      'X-Matrix origin="origin.test",destination="d",key="ed25519:a",sig="s"',
    );
    await transport.close();
  });

  test('error statuses, non-JSON, oversized and slow replies', async () => {
    const { transport } = transportWith({
      federationCaFile: ca.certPath,
      federationAllowPrivateNetworks: true,
    });
    const destination = `fed.test:${port}`;
    const get = (path: string, extra = {}) =>
      transport.client.request(destination, { method: 'GET', path, ...extra });
    await assert.rejects(get('/forbidden'), (err: Error) => {
      assert.ok(err instanceof FederationHttpError);
      assert.equal(err.status, 403);
      assert.equal(err.errcode, 'M_FORBIDDEN');
      assert.deepEqual(err.body, { errcode: 'M_FORBIDDEN', error: 'no' });
      assert.equal(err.destination, destination);
      return true;
    });
    await assert.rejects(get('/bad-gateway'), (err: Error) => {
      assert.ok(err instanceof FederationHttpError);
      assert.equal(err.status, 502);
      assert.equal(err.body, undefined);
      return true;
    });
    await assert.rejects(get('/not-json'), /not JSON/);
    await assert.rejects(get('/big', { maxResponseBytes: 1024 * 1024 }), /over the 1048576/);
    assert.equal(((await get('/big')).body as { pad: string }).pad.length, 2 * 1024 * 1024);
    const started = Date.now();
    await assert.rejects(get('/slow', { timeoutMs: 300 }), FederationRequestError);
    assert.ok(Date.now() - started < 1500, 'the timeout cut the request short');
    await assert.rejects(get('no-slash'), /must start with \//);
    await assert.rejects(
      transport.client.request('bad name', { method: 'GET', path: '/' }),
      /cannot resolve the server name/,
    );
    await transport.close();
  });

  test('a delegated name: the well-known is followed and the request carries the delegated Host', async () => {
    // The well-known lives on port 443; map it to the test server, keeping the connector's checks.
    const connect = guardedConnector({
      allowPrivateNetworks: true,
      verifyTls: true,
      extraCaPem: ca.certPem,
      lookup,
    });
    const agent = new Agent({
      connect: (options, callback) =>
        connect({ ...options, port: options.port === '' ? String(port) : options.port }, callback),
    });
    const client = createFederationClient({
      dispatcher: agent,
      resolver: createServerNameResolver({
        fetchWellKnown: wellKnownFetcher(agent),
        resolveSrv: noSrv,
      }),
    });
    const response = await client.request('delegator.test', {
      method: 'PUT',
      path: '/echo?x=1',
      body: {},
    });
    const body = response.body as Record<string, unknown>;
    assert.equal(body.host, `fed.test:${port}`);
    assert.equal(body.servername, 'fed.test');
    await agent.close();
  });
});
