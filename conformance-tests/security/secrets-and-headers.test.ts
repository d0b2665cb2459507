// Secrets stay secret and every response carries the security headers, checked on a real
// `cairn start` process logging at trace level (its most talkative):
// - passwords, access and refresh tokens, the registration shared secret and the signing key seed
//   never appear in the logs (requests with tokens in headers and in the query string, password
//   changes, a wrong password, shared-secret registration) nor in plain form in any table;
// - passwords are stored as scrypt with at least OWASP's minimum cost;
// - access tokens carry 256 random bits: all distinct, of the expected form, bits balanced;
// - both listeners send nosniff, frame and content-security policies and no-referrer on every
//   kind of answer (success, 4xx errors, unknown routes, preflight, oversized body, media), HSTS
//   on the TLS federation listener, no-store on answers to requests with credentials.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { openDatabase } from '../../server/storage/database.ts';
import {
  type CairnProcess,
  federationFetch,
  newDataDir,
  startCairn,
  testEnv,
} from '../support/cairn-process.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';

const HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': /default-src 'none'/,
  'referrer-policy': 'no-referrer',
} as const;

const LOGINS = 40;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

function assertSecurityHeaders(what: string, headers: Headers): void {
  for (const [name, expected] of Object.entries(HEADERS)) {
    const value = headers.get(name);
    assert.ok(value !== null, `${what}: no ${name}`);
    if (typeof expected === 'string') assert.equal(value, expected, `${what}: ${name}`);
    else assert.match(value, expected, `${what}: ${name}`);
  }
}

async function call(
  server: CairnProcess,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const payload =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${server.clientUrl}${path}`, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = { text };
  }
  assertSecurityHeaders(`${method} ${path} (${response.status})`, response.headers);
  return { status: response.status, headers: response.headers, body };
}

/** Registration through user-interactive auth with the dummy stage. */
async function register(server: CairnProcess, username: string, password: string) {
  const first = await call(server, 'POST', '/_matrix/client/v3/register', {
    body: { username, password },
  });
  assert.equal(first.status, 401, JSON.stringify(first.body));
  const done = await call(server, 'POST', '/_matrix/client/v3/register', {
    body: { username, password, auth: { type: 'm.login.dummy', session: first.body.session } },
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  return done.body as { user_id: string; access_token: string };
}

async function login(server: CairnProcess, user: string, password: string, refresh = false) {
  return call(server, 'POST', '/_matrix/client/v3/login', {
    body: {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user },
      password,
      refresh_token: refresh,
    },
  });
}

/** Every value of every table in the public schema, as one string. */
async function everyStoredValue(dataDir: string, databaseUrl: string | undefined): Promise<string> {
  const { db, close } = await openDatabase({
    databaseUrl,
    dataDir,
    logger: pino({ level: 'silent' }),
  });
  try {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
    const dump: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(db);
      dump.push(
        JSON.stringify(rows.rows, (_key, value) =>
          typeof value === 'bigint' ? String(value) : value,
        ),
      );
    }
    return dump.join('\n');
  } finally {
    await close();
  }
}

function oneBitsFraction(tokens: readonly string[]): number {
  let ones = 0;
  let bits = 0;
  for (const token of tokens) {
    for (const byte of Buffer.from(token.slice('cairn_'.length), 'base64url')) {
      for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
      bits += 8;
    }
  }
  return ones / bits;
}

for (const backend of PROCESS_BACKENDS) {
  describe(`secrets and security headers (${backend.name})`, { skip: backend.skip }, () => {
    const secrets: string[] = [];
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    let dataDir: string;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const newPassword = `pw-${randomBytes(12).toString('hex')}`;
    secrets.push(password, newPassword);
    after(() => server?.child.kill('SIGKILL'));

    test('start at trace level', async () => {
      databaseUrl = await backend.databaseUrl();
      dataDir = newDataDir();
      server = await startCairn(
        testEnv(dataDir, {
          CAIRN_LOG_LEVEL: 'trace',
          CAIRN_ENABLE_REGISTRATION: 'true',
          CAIRN_MAX_REQUEST_BODY_BYTES: String(64 * 1024),
          ...(databaseUrl === undefined ? {} : { CAIRN_DATABASE_URL: databaseUrl }),
        }),
      );
      secrets.push(readFileSync(join(dataDir, 'registration_shared_secret'), 'utf8').trim());
      const seed = readFileSync(join(dataDir, 'signing.key'), 'utf8').trim().split(/\s+/)[2];
      assert.ok(seed !== undefined && seed.length >= 40, 'signing key file has a seed');
      secrets.push(seed);
    });

    test('passwords and tokens in use: register, log in, refresh, change password', async () => {
      const alice = await register(server, 'alice', password);
      secrets.push(alice.access_token);
      const loggedIn = await login(server, 'alice', password, true);
      assert.equal(loggedIn.status, 200);
      const access = String(loggedIn.body.access_token);
      const refresh = String(loggedIn.body.refresh_token);
      secrets.push(access, refresh);
      // The token in the header and, as clients before 1.11 do, in the query string.
      const whoami = await call(server, 'GET', '/_matrix/client/v3/account/whoami', {
        token: access,
      });
      assert.equal(whoami.status, 200);
      assert.equal(whoami.headers.get('cache-control'), 'no-store');
      const viaQuery = await call(
        server,
        'GET',
        `/_matrix/client/v3/account/whoami?access_token=${encodeURIComponent(access)}`,
      );
      assert.equal(viaQuery.status, 200);
      const refreshed = await call(server, 'POST', '/_matrix/client/v3/refresh', {
        body: { refresh_token: refresh },
      });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      secrets.push(String(refreshed.body.access_token), String(refreshed.body.refresh_token));
      const token = String(refreshed.body.access_token);
      const start = await call(server, 'POST', '/_matrix/client/v3/account/password', {
        token,
        body: { new_password: newPassword, logout_devices: false },
      });
      assert.equal(start.status, 401);
      const changed = await call(server, 'POST', '/_matrix/client/v3/account/password', {
        token,
        body: {
          new_password: newPassword,
          logout_devices: false,
          auth: {
            type: 'm.login.password',
            session: start.body.session,
            identifier: { type: 'm.id.user', user: 'alice' },
            password,
          },
        },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const wrong = await login(server, 'alice', password);
      assert.equal(wrong.status, 403);
      const unknownToken = `cairn_${randomBytes(32).toString('base64url')}`;
      secrets.push(unknownToken);
      const refused = await call(server, 'GET', '/_matrix/client/v3/account/whoami', {
        token: unknownToken,
      });
      assert.equal(refused.status, 401);
    });

    test('shared-secret registration', async () => {
      const sharedSecret = secrets[2]!;
      const { body } = await call(server, 'GET', '/_synapse/admin/v1/register');
      const nonce = String(body.nonce);
      const adminPassword = `pw-${randomBytes(12).toString('hex')}`;
      secrets.push(adminPassword);
      const mac = createHmac('sha1', sharedSecret)
        .update([nonce, 'root', adminPassword, 'admin'].join('\u0000'))
        .digest('hex');
      const done = await call(server, 'POST', '/_synapse/admin/v1/register', {
        body: { nonce, username: 'root', password: adminPassword, admin: true, mac },
      });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      secrets.push(String(done.body.access_token));
    });

    test(`access tokens carry 256 random bits (${LOGINS} logins)`, async () => {
      const tokens: string[] = [];
      for (let i = 0; i < LOGINS; i++) {
        const answer = await login(server, 'alice', newPassword);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        tokens.push(String(answer.body.access_token));
      }
      secrets.push(...tokens);
      for (const token of tokens) assert.match(token, /^cairn_[A-Za-z0-9_-]{43}$/);
      assert.equal(new Set(tokens).size, tokens.length);
      // 40 × 256 bits: a fair source lands within 0.5 ± 0.03 with overwhelming probability
      // (that is 7.7 standard deviations); a counter or a timestamp would not.
      const fraction = oneBitsFraction(tokens);
      assert.ok(Math.abs(fraction - 0.5) < 0.03, `one-bits fraction ${fraction}`);
    });

    test('security headers on every kind of answer, both listeners', async () => {
      await call(server, 'GET', '/_matrix/client/versions');
      await call(server, 'GET', '/.well-known/matrix/client');
      await call(server, 'GET', '/_matrix/client/v3/no/such/route');
      await call(server, 'POST', '/_matrix/client/v3/login', { raw: '{not json' });
      await call(server, 'OPTIONS', '/_matrix/client/v3/login', {
        headers: { origin: 'https://app.element.io', 'access-control-request-method': 'POST' },
      });
      const tooLarge = await call(server, 'POST', '/_matrix/client/v3/login', {
        raw: JSON.stringify({ type: 'm.login.password', padding: 'x'.repeat(100 * 1024) }),
      });
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body.errcode, 'M_TOO_LARGE');
      const access = secrets[secrets.length - 1]!;
      const upload = await fetch(`${server.clientUrl}/_matrix/media/v3/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access}`, 'content-type': 'text/plain' },
        body: 'hello',
      });
      assert.equal(upload.status, 200);
      assertSecurityHeaders('upload', upload.headers);
      const { content_uri } = (await upload.json()) as { content_uri: string };
      const download = await fetch(
        `${server.clientUrl}/_matrix/client/v1/media/download/${content_uri.slice('mxc://'.length)}`,
        { headers: { authorization: `Bearer ${access}` } },
      );
      assert.equal(await download.text(), 'hello');
      // Media keeps its own, stricter policy (a sandbox: a browser may render these bytes).
      assert.match(download.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
      for (const path of [
        '/_matrix/federation/v1/version',
        '/_matrix/key/v2/server',
        '/_matrix/federation/v1/query/profile',
      ]) {
        const response = await federationFetch(server, path);
        await response.arrayBuffer();
        assertSecurityHeaders(`federation ${path} (${response.status})`, response.headers);
        assert.equal(response.headers.get('strict-transport-security'), 'max-age=31536000');
      }
    });

    test('no secret in the logs nor stored in plain form', async () => {
      const exitCode = await server.stop();
      assert.equal(exitCode, 0);
      const output = server.output();
      // Trace level logged the requests, the token-bearing query strings among them.
      assert.match(output, /access_token=<redacted>/);
      const stored = await everyStoredValue(dataDir, databaseUrl);
      for (const secret of secrets) {
        assert.ok(!output.includes(secret), `a secret (${secret.slice(0, 8)}…) is in the log`);
        assert.ok(!stored.includes(secret), `a secret (${secret.slice(0, 8)}…) is stored as is`);
      }
      // Passwords are scrypt hashes with at least OWASP's minimum cost (N = 2^15, r = 8).
      const hashes = [...stored.matchAll(/scrypt\$(\d+)\$(\d+)\$(\d+)\$/g)];
      assert.ok(hashes.length >= 2, 'the two accounts have password hashes');
      for (const [, n, r] of hashes) {
        assert.ok(Number(n) >= 2 ** 15 && Number(r) >= 8, `scrypt N=${n} r=${r}`);
      }
      console.log(
        `secrets checked: ${secrets.length} against ${output.split('\n').length} log lines and every table`,
      );
    });
  });
}
