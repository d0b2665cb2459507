// The foundation as a user meets it: `cairn start` on the embedded default and on PostgreSQL,
// the discovery and key endpoints checked against the spec's own OpenAPI schemas, the signing key
// kept across restarts, `cairn register-user` on a running and a stopped server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeCanonicalJson } from '../../server/core/canonical-json.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { verifyJsonSignature } from '../../server/core/signing.ts';
import {
  type CairnProcess,
  federationFetch,
  newDataDir,
  runCairn,
  startCairn,
  testEnv,
} from '../support/cairn-process.ts';
import { createScratchDatabase, dropScratchDatabase } from '../support/databases.ts';
import { loadSpecValidator } from '../support/openapi-validator.ts';

const spec = await loadSpecValidator();

async function getJson(url: string): Promise<{ status: number; body: JsonObject }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as JsonObject };
}

async function getFederationJson(
  server: CairnProcess,
  path: string,
): Promise<{ status: number; body: JsonObject }> {
  const response = await federationFetch(server, path);
  return { status: response.status, body: (await response.json()) as JsonObject };
}

const backends = [
  { name: 'PGlite (embedded default)', databaseUrl: async () => undefined },
  {
    name: 'PostgreSQL',
    databaseUrl: async () => {
      const server = process.env.CAIRN_TEST_DATABASE_URL;
      return server ? createScratchDatabase(server) : undefined;
    },
    skip: !process.env.CAIRN_TEST_DATABASE_URL && 'CAIRN_TEST_DATABASE_URL is not set',
  },
];

for (const backend of backends) {
  describe(`cairn start on ${backend.name}`, { skip: backend.skip || false }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      env = testEnv(newDataDir(), {
        CAIRN_SERVER_NAME: 'cairn.test',
        ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
      });
      server = await startCairn(env);
    });
    after(async () => {
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('client discovery endpoints answer as the spec describes', async () => {
      for (const path of [
        '/_matrix/client/versions',
        '/.well-known/matrix/client',
        '/.well-known/matrix/server',
      ]) {
        const { status, body } = await getJson(`${server.clientUrl}${path}`);
        assert.equal(status, 200, path);
        spec.assertResponse({
          method: 'GET',
          path,
          status,
          body,
          api: path.includes('matrix/server') ? 'server-server' : 'client-server',
        });
      }
      const wellKnown = await getJson(`${server.clientUrl}/.well-known/matrix/server`);
      assert.match(String(wellKnown.body['m.server']), /^cairn\.test:\d+$/);
    });

    test('the federation listener serves TLS with the certificate generated into the data dir', async () => {
      assert.match(server.federationUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      // Trusted and for the server name: federationFetch verifies both. Plain HTTP is not served.
      assert.equal((await federationFetch(server, '/_matrix/federation/v1/version')).status, 200);
      await assert.rejects(fetch(`${server.federationUrl.replace('https:', 'http:')}/`));
    });

    test('the key server publishes a self-signed key valid in the future', async () => {
      const response = await federationFetch(server, '/_matrix/key/v2/server');
      const { status } = response;
      const raw = await response.text();
      const body = JSON.parse(raw) as JsonObject;
      assert.equal(status, 200);
      // Sent as canonical JSON, so a verifier may check the signature against the bytes as sent.
      assert.equal(raw, encodeCanonicalJson(body));
      assert.match(String(response.headers.get('content-type')), /^application\/json\b/);
      spec.assertResponse({
        api: 'server-server',
        method: 'GET',
        path: '/_matrix/key/v2/server',
        status,
        body,
      });
      assert.equal(body.server_name, 'cairn.test');
      assert.ok(Number(body.valid_until_ts) > Date.now() + 3600_000);
      const [keyId, entry] = Object.entries(body.verify_keys as JsonObject)[0]!;
      assert.match(keyId, /^ed25519:[A-Za-z0-9_]+$/);
      const publicKey = (entry as JsonObject).key as string;
      assert.equal(verifyJsonSignature(body, 'cairn.test', keyId, publicKey), true);
      // A tampered copy must not verify: the check above is not vacuous.
      assert.equal(
        verifyJsonSignature({ ...body, valid_until_ts: 1 }, 'cairn.test', keyId, publicKey),
        false,
      );
    });

    test('federation version and health', async () => {
      const version = await getFederationJson(server, '/_matrix/federation/v1/version');
      spec.assertResponse({
        api: 'server-server',
        method: 'GET',
        path: '/_matrix/federation/v1/version',
        ...version,
      });
      assert.equal((version.body.server as JsonObject).name, 'Cairn');
      const health = await fetch(`${server.clientUrl}/health`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'OK');
    });

    test('metrics count requests by route', async () => {
      await fetch(`${server.clientUrl}/_matrix/client/versions`);
      const text = await (await fetch(`${server.clientUrl}/_cairn/metrics`)).text();
      assert.match(
        text,
        /cairn_http_requests_total\{listener="client",method="GET",route="\/_matrix\/client\/versions",status="200"\} [1-9]/,
      );
      assert.match(text, /cairn_process_resident_memory_bytes \d+/);
    });

    test('register-user works while the server runs, and refuses a taken name', () => {
      const created = runCairn(
        ['register-user', 'alice', '--password', 'hunter2hunter2', '--admin'],
        env,
      );
      assert.equal(created.status, 0, created.stderr);
      assert.match(created.stdout, /created admin user @alice:cairn\.test/);
      const again = runCairn(['register-user', 'alice', '--password', 'other'], env);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /M_USER_IN_USE/);
      const generated = runCairn(['register-user', 'bob'], env);
      assert.equal(generated.status, 0, generated.stderr);
      assert.match(generated.stdout, /created user @bob:cairn\.test with password \S{12,}/);
      const bad = runCairn(['register-user', 'Not Valid'], env);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /M_INVALID_USERNAME/);
    });

    test('the signing key and accounts survive a restart; register-user works when stopped', async () => {
      const before = await getFederationJson(server, '/_matrix/key/v2/server');
      assert.equal(await server.stop(), 0);
      const stopped = runCairn(['register-user', 'carol', '--password', 'pw-carol-123'], env);
      assert.equal(stopped.status, 0, stopped.stderr);
      assert.match(stopped.stdout, /created user @carol:cairn\.test/);
      server = await startCairn(env);
      const afterRestart = await getFederationJson(server, '/_matrix/key/v2/server');
      assert.deepEqual(
        Object.keys(afterRestart.body.verify_keys as JsonObject),
        Object.keys(before.body.verify_keys as JsonObject),
      );
      assert.deepEqual(afterRestart.body.verify_keys, before.body.verify_keys);
      // Accounts made before, while running and while stopped, are all still there.
      for (const name of ['alice', 'bob', 'carol']) {
        const again = runCairn(['register-user', name, '--password', 'x'], env);
        assert.match(again.stderr, /M_USER_IN_USE/, name);
      }
    });
  });
}

test('a bad configuration stops start-up with a message naming the key', () => {
  const env = testEnv(newDataDir(), { CAIRN_CLIENT_PORT: 'eighty' });
  const result = runCairn(['start'], env);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /client_port/);
  assert.match(result.stderr, /CAIRN_CLIENT_PORT/);
});

test('federation TLS settings are checked before the server starts', () => {
  const half = runCairn(
    ['start'],
    testEnv(newDataDir(), { CAIRN_FEDERATION_TLS_CERT_PATH: '/nonexistent/cert.pem' }),
  );
  assert.equal(half.status, 1);
  assert.match(
    half.stderr,
    /federation_tls_cert_path and federation_tls_key_path must be set together/,
  );
  const missing = runCairn(
    ['start'],
    testEnv(newDataDir(), {
      CAIRN_FEDERATION_TLS_CERT_PATH: '/nonexistent/cert.pem',
      CAIRN_FEDERATION_TLS_KEY_PATH: '/nonexistent/key.pem',
    }),
  );
  assert.equal(missing.status, 1);
  assert.match(
    missing.stderr,
    /^cairn: cannot read the federation TLS certificate \/nonexistent\/cert\.pem/,
  );
});

test('federation_tls false serves the federation API over plain HTTP', async () => {
  const server = await startCairn(testEnv(newDataDir(), { CAIRN_FEDERATION_TLS: 'false' }));
  try {
    assert.match(server.federationUrl, /^http:\/\//);
    const version = await getJson(`${server.federationUrl}/_matrix/federation/v1/version`);
    assert.equal(version.status, 200);
  } finally {
    await server.stop();
  }
});

test('cairn version and generate-config', () => {
  const env = testEnv(newDataDir());
  const version = runCairn(['version'], env);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^cairn \d+\.\d+\.\d+/);
  const config = runCairn(['generate-config'], env);
  assert.equal(config.status, 0);
  for (const key of [
    'server_name: localhost',
    'client_port: 8008',
    'federation_port: 8448',
    '#database_url',
  ]) {
    assert.ok(config.stdout.includes(key), key);
  }
  const unknown = runCairn(['frobnicate'], env);
  assert.equal(unknown.status, 2);
});
