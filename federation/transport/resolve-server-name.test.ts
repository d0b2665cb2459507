// Server name resolution against a real HTTPS server (certificate from a test CA) answering
// /.well-known/matrix/server for many *.test names, reached through the federation connector with
// its address checks. Only the OS resolver is stood in for: names map to 127.0.0.1, port 443 to
// the test server's port, and SRV records come from a table.
import assert from 'node:assert/strict';
import type { SrvRecord } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import {
  createTestCa,
  sendJson,
  startHttpsServer,
  type TestHttpsServer,
} from '../../conformance-tests/support/test-tls.ts';
import { guardedConnector } from './federation-agent.ts';
import {
  createServerNameResolver,
  pickSrvRecord,
  type ResolvedServer,
} from './resolve-server-name.ts';
import { wellKnownFetcher } from './well-known.ts';

const HOUR = 3600_000;

// What each name's well-known answers: [status, body, headers].
const WELL_KNOWN: Record<string, [number, unknown, Record<string, string>?]> = {
  'wk-port.test': [200, { 'm.server': 'target.test:8449' }],
  'wk-ip.test': [200, { 'm.server': '[2001:db8::5]' }],
  'wk-ipv4-port.test': [200, { 'm.server': '203.0.113.9:9000' }],
  'wk-srv.test': [200, { 'm.server': 'deleg.test' }],
  'wk-legacy-srv.test': [200, { 'm.server': 'deleg-legacy.test' }],
  'wk-nosrv.test': [200, { 'm.server': 'deleg-nosrv.test' }],
  'wk-404.test': [404, { errcode: 'M_NOT_FOUND' }],
  'wk-500.test': [500, 'oops'],
  'wk-badjson.test': [200, '{"m.server": '],
  'wk-array.test': [200, ['m.server']],
  'wk-noserver.test': [200, {}],
  'wk-invalid.test': [200, { 'm.server': 'bad name!' }],
  'wk-number.test': [200, { 'm.server': 8448 }],
  'wk-big.test': [200, { 'm.server': 'target.test:1', padding: 'x'.repeat(60 * 1024) }],
  'wk-redirect.test': [302, '', { location: 'https://wk-port.test/.well-known/matrix/server' }],
  'wk-relative.test': [301, '', { location: '/elsewhere' }],
  'wk-loop.test': [302, '', { location: 'https://wk-loop.test/.well-known/matrix/server' }],
  'wk-http.test': [302, '', { location: 'http://wk-port.test/.well-known/matrix/server' }],
  'wk-maxage.test': [200, { 'm.server': 'target.test:1' }, { 'cache-control': 'max-age=600' }],
  'wk-huge-maxage.test': [
    200,
    { 'm.server': 'target.test:1' },
    { 'cache-control': 'max-age=999999999' },
  ],
  'wk-nocache.test': [200, { 'm.server': 'target.test:1' }, { 'cache-control': 'no-store' }],
  'wk-default.test': [200, { 'm.server': 'target.test:1' }],
  'wk-fails.test': [404, {}],
  'wk-slow.test': [200, { 'm.server': 'target.test:1' }],
};

const SRV: Record<string, SrvRecord[]> = {
  '_matrix-fed._tcp.deleg.test': [{ name: 'srv-target.test', port: 4443, priority: 0, weight: 0 }],
  '_matrix._tcp.deleg.test': [
    { name: 'legacy-should-not-be-used.test', port: 1, priority: 0, weight: 0 },
  ],
  '_matrix._tcp.deleg-legacy.test': [
    { name: 'legacy-target.test.', port: 5443, priority: 0, weight: 0 },
  ],
  '_matrix-fed._tcp.wk-404.test': [{ name: 'own-srv.test', port: 7443, priority: 0, weight: 0 }],
  '_matrix._tcp.wk-500.test': [{ name: 'own-legacy.test', port: 7444, priority: 0, weight: 0 }],
};

let server: TestHttpsServer;
let port: number;
const ca = createTestCa();

before(async () => {
  const certificate = ca.issue({ dns: Object.keys(WELL_KNOWN) });
  server = await startHttpsServer(certificate, (request, response) => {
    const host = String(request.headers.host);
    if (request.url === '/elsewhere')
      return sendJson(response, 200, { 'm.server': 'moved.test:1' });
    const answer = WELL_KNOWN[host];
    if (!answer || request.url !== '/.well-known/matrix/server') return sendJson(response, 404, {});
    const [status, body, headers] = answer;
    if (host === 'wk-slow.test') {
      setTimeout(() => sendJson(response, status, body, headers), 200);
      return;
    }
    sendJson(response, status, body, headers);
  });
  port = server.port;
});
after(() => server.close());

const lookup: LookupFunction = (hostname, options, callback) => {
  if (!(hostname in WELL_KNOWN)) {
    callback(
      Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
      '',
      0,
    );
  } else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

function testAgent(allowPrivateNetworks = true): Agent {
  const connect = guardedConnector({
    allowPrivateNetworks,
    verifyTls: true,
    extraCaPem: ca.certPem,
    lookup,
  });
  // The well-known is always on 443; the test server is not.
  return new Agent({
    connect: (options, callback) =>
      connect(
        {
          ...options,
          port: options.port === '' || options.port === '443' ? String(port) : options.port,
        },
        callback,
      ),
  });
}

function setup(options: { allowPrivateNetworks?: boolean; srvError?: string } = {}) {
  const agent = testAgent(options.allowPrivateNetworks);
  const srvQueries: string[] = [];
  const clock = { now: Date.UTC(2026, 0, 1) };
  const resolver = createServerNameResolver({
    fetchWellKnown: wellKnownFetcher(agent, { timeoutMs: 2000 }),
    resolveSrv: async (name) => {
      srvQueries.push(name);
      if (options.srvError)
        throw Object.assign(new Error(options.srvError), { code: options.srvError });
      const records = SRV[name];
      if (!records)
        throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return records;
    },
    now: () => clock.now,
    random: () => 0,
  });
  const wellKnownRequests = (host: string) =>
    server.requests.filter((r) => r.headers.host === host).length;
  return { resolver, srvQueries, clock, wellKnownRequests, close: () => agent.close() };
}

const at = (host: string, port: number, hostHeader: string): ResolvedServer => ({
  host,
  port,
  hostHeader,
});

describe('server name resolution', () => {
  test('an IP literal or an explicit port is used directly: no well-known, no SRV', async () => {
    const { resolver, srvQueries, close } = setup();
    const before = server.requests.length;
    assert.deepEqual(await resolver.resolve('1.2.3.4'), at('1.2.3.4', 8448, '1.2.3.4'));
    assert.deepEqual(await resolver.resolve('1.2.3.4:99'), at('1.2.3.4', 99, '1.2.3.4:99'));
    assert.deepEqual(
      await resolver.resolve('[2001:db8::1]'),
      at('2001:db8::1', 8448, '[2001:db8::1]'),
    );
    assert.deepEqual(await resolver.resolve('[::1]:8000'), at('::1', 8000, '[::1]:8000'));
    assert.deepEqual(
      await resolver.resolve('wk-srv.test:8443'),
      at('wk-srv.test', 8443, 'wk-srv.test:8443'),
    );
    assert.equal(server.requests.length, before);
    assert.deepEqual(srvQueries, []);
    await close();
  });

  test('an invalid server name is refused', async () => {
    const { resolver, close } = setup();
    await assert.rejects(resolver.resolve('not valid'), /invalid server name/);
    await assert.rejects(resolver.resolve('example.org:0'), /invalid port/);
    await close();
  });

  test('well-known with a port or an IP literal: used as given, Host header as delegated', async () => {
    const { resolver, srvQueries, close } = setup();
    assert.deepEqual(
      await resolver.resolve('wk-port.test'),
      at('target.test', 8449, 'target.test:8449'),
    );
    assert.deepEqual(
      await resolver.resolve('wk-ip.test'),
      at('2001:db8::5', 8448, '[2001:db8::5]'),
    );
    assert.deepEqual(
      await resolver.resolve('wk-ipv4-port.test'),
      at('203.0.113.9', 9000, '203.0.113.9:9000'),
    );
    assert.deepEqual(srvQueries, []);
    const seen = server.requests.find((r) => r.headers.host === 'wk-port.test')!;
    assert.equal(seen.servername, 'wk-port.test', 'the well-known is fetched with SNI = hostname');
    await close();
  });

  test('well-known without a port: SRV _matrix-fed, then _matrix, then 8448, on the delegated name', async () => {
    const { resolver, srvQueries, close } = setup();
    assert.deepEqual(
      await resolver.resolve('wk-srv.test'),
      at('srv-target.test', 4443, 'deleg.test'),
    );
    assert.deepEqual(srvQueries.splice(0), ['_matrix-fed._tcp.deleg.test']);
    assert.deepEqual(
      await resolver.resolve('wk-legacy-srv.test'),
      at('legacy-target.test', 5443, 'deleg-legacy.test'),
    );
    assert.deepEqual(srvQueries.splice(0), [
      '_matrix-fed._tcp.deleg-legacy.test',
      '_matrix._tcp.deleg-legacy.test',
    ]);
    assert.deepEqual(
      await resolver.resolve('wk-nosrv.test'),
      at('deleg-nosrv.test', 8448, 'deleg-nosrv.test'),
    );
    assert.deepEqual(srvQueries.splice(0), [
      '_matrix-fed._tcp.deleg-nosrv.test',
      '_matrix._tcp.deleg-nosrv.test',
    ]);
    await close();
  });

  test('redirects are followed, within HTTPS and without loops', async () => {
    const { resolver, close } = setup();
    assert.deepEqual(
      await resolver.resolve('wk-redirect.test'),
      at('target.test', 8449, 'target.test:8449'),
    );
    assert.deepEqual(
      await resolver.resolve('wk-relative.test'),
      at('moved.test', 1, 'moved.test:1'),
    );
    // A loop and a redirect to plain HTTP are errors: SRV on the name, then 8448.
    assert.deepEqual(
      await resolver.resolve('wk-loop.test'),
      at('wk-loop.test', 8448, 'wk-loop.test'),
    );
    assert.deepEqual(
      await resolver.resolve('wk-http.test'),
      at('wk-http.test', 8448, 'wk-http.test'),
    );
    await close();
  });

  test('a failed or invalid well-known: SRV on the hostname, then 8448, Host header the hostname', async () => {
    const { resolver, srvQueries, close } = setup();
    assert.deepEqual(
      await resolver.resolve('wk-404.test'),
      at('own-srv.test', 7443, 'wk-404.test'),
    );
    assert.deepEqual(srvQueries.splice(0), ['_matrix-fed._tcp.wk-404.test']);
    assert.deepEqual(
      await resolver.resolve('wk-500.test'),
      at('own-legacy.test', 7444, 'wk-500.test'),
    );
    for (const name of [
      'wk-badjson.test',
      'wk-array.test',
      'wk-noserver.test',
      'wk-invalid.test',
      'wk-number.test',
      'wk-big.test',
      'no-such-host.test',
    ]) {
      assert.deepEqual(await resolver.resolve(name), at(name, 8448, name), name);
    }
    await close();
  });

  test('the well-known fetch is refused a private address unless allowed', async () => {
    const { resolver, wellKnownRequests, close } = setup({ allowPrivateNetworks: false });
    const before = wellKnownRequests('wk-port.test');
    assert.deepEqual(
      await resolver.resolve('wk-port.test'),
      at('wk-port.test', 8448, 'wk-port.test'),
    );
    assert.equal(wellKnownRequests('wk-port.test'), before, 'no connection reached the server');
    await close();
  });

  test('well-known answers are cached as their headers say, within 5 min and 48 h', async () => {
    const { resolver, clock, wellKnownRequests, close } = setup();
    const expectFetches = async (name: string, advanceMs: number, fetches: number) => {
      clock.now += advanceMs;
      await resolver.resolve(name);
      assert.equal(wellKnownRequests(name), fetches, `${name} after +${advanceMs / 60_000} min`);
    };
    await expectFetches('wk-maxage.test', 0, 1);
    await expectFetches('wk-maxage.test', 590_000, 1);
    await expectFetches('wk-maxage.test', 20_000, 2);
    // No caching headers: the spec's 24 h.
    await expectFetches('wk-default.test', 0, 1);
    await expectFetches('wk-default.test', 23 * HOUR, 1);
    await expectFetches('wk-default.test', 2 * HOUR, 2);
    // A huge max-age stops at 48 h; no-store still holds for 5 minutes.
    await expectFetches('wk-huge-maxage.test', 0, 1);
    await expectFetches('wk-huge-maxage.test', 47 * HOUR, 1);
    await expectFetches('wk-huge-maxage.test', 2 * HOUR, 2);
    await expectFetches('wk-nocache.test', 0, 1);
    await expectFetches('wk-nocache.test', 4 * 60_000, 1);
    await expectFetches('wk-nocache.test', 2 * 60_000, 2);
    await close();
  });

  test('failures are cached briefly, longer for each failure in a row', async () => {
    const { resolver, clock, wellKnownRequests, close } = setup();
    const expectFetches = async (advanceMs: number, fetches: number) => {
      clock.now += advanceMs;
      await resolver.resolve('wk-fails.test');
      assert.equal(wellKnownRequests('wk-fails.test'), fetches, `after +${advanceMs / 60_000} min`);
    };
    await expectFetches(0, 1);
    await expectFetches(60_000, 1);
    await expectFetches(61_000, 2); // first failure: 2 min
    await expectFetches(3 * 60_000, 2);
    await expectFetches(61_000, 3); // second: 4 min
    await expectFetches(7 * 60_000, 3);
    await expectFetches(61_000, 4); // third: 8 min
    await close();
  });

  test('SRV lookups that fail for another reason than "none" are retried soon', async () => {
    const { resolver, clock, srvQueries, close } = setup({ srvError: 'ETIMEOUT' });
    assert.deepEqual(await resolver.resolve('wk-srv.test'), at('deleg.test', 8448, 'deleg.test'));
    assert.equal(srvQueries.length, 2);
    clock.now += 3 * 60_000;
    await resolver.resolve('wk-srv.test');
    assert.equal(srvQueries.length, 4, 're-resolved after the SRV error wore off');
    await close();
  });

  test('concurrent resolutions share one lookup; forget() drops the cache', async () => {
    const { resolver, wellKnownRequests, close } = setup();
    const results = await Promise.all([1, 2, 3].map(() => resolver.resolve('wk-slow.test')));
    assert.equal(new Set(results.map((r) => JSON.stringify(r))).size, 1);
    assert.equal(wellKnownRequests('wk-slow.test'), 1);
    await resolver.resolve('wk-slow.test');
    assert.equal(wellKnownRequests('wk-slow.test'), 1);
    resolver.forget('wk-slow.test');
    await resolver.resolve('wk-slow.test');
    assert.equal(wellKnownRequests('wk-slow.test'), 2);
    await close();
  });
});

test('SRV records: lowest priority first, then weighted by weight', () => {
  const record = (name: string, priority: number, weight: number): SrvRecord => ({
    name,
    port: 1,
    priority,
    weight,
  });
  const records = [
    record('backup', 20, 100),
    record('a', 10, 1),
    record('b', 10, 3),
    record('c', 10, 0),
  ];
  assert.equal(pickSrvRecord(records, () => 0)?.name, 'a');
  assert.equal(pickSrvRecord(records, () => 0.2)?.name, 'a');
  assert.equal(pickSrvRecord(records, () => 0.3)?.name, 'b');
  assert.equal(pickSrvRecord(records, () => 0.99)?.name, 'b');
  assert.equal(pickSrvRecord([record('x.', 0, 0), record('y', 0, 0)], () => 0.6)?.name, 'y');
  assert.equal(pickSrvRecord([record('x.example.', 0, 0)], () => 0)?.name, 'x.example');
  assert.equal(
    pickSrvRecord([record('.', 0, 0)], () => 0),
    undefined,
  );
  assert.equal(
    pickSrvRecord([], () => 0),
    undefined,
  );
});
