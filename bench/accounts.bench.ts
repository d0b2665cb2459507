// Account endpoints through the real client app (fastify inject, no sockets) on an embedded
// PGlite database: password login (scrypt N=2^15 dominates), an authenticated request (token
// lookup), registration with its two UIA round trips, and an account data write. One request at
// a time, so the figures are latencies; scrypt runs on libuv's thread pool, so a server handles
// several logins in parallel.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildTestContext } from '../conformance-tests/support/test-context.ts';
import { buildClientApp } from '../server/app.ts';
import type { Context } from '../server/context.ts';
import { openDatabase } from '../server/storage/database.ts';
import { migrateToLatest } from '../server/storage/migrate.ts';
import type { BenchFigure } from './harness.ts';

export const name = 'accounts';

const PASSWORD = 'a long and unguessable passphrase';

export async function run(): Promise<BenchFigure[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-accounts-'));
  const database = await openDatabase({ dataDir });
  try {
    await migrateToLatest(database.db);
    // The test context keeps up with what a Context holds; only the clock is made real.
    const ctx: Context = {
      ...buildTestContext(database.db, { CAIRN_ENABLE_REGISTRATION: 'true' }),
      now: Date.now,
    };
    const app = buildClientApp(ctx);
    const post = async (url: string, payload: object, token?: string) => {
      const response = await app.inject({
        method: 'POST',
        url,
        payload,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      return { status: response.statusCode, body: response.json() };
    };
    let registered = 0;
    const register = async () => {
      const username = `user${registered++}`;
      const first = await post('/_matrix/client/v3/register', { username, password: PASSWORD });
      const done = await post('/_matrix/client/v3/register', {
        username,
        password: PASSWORD,
        auth: { type: 'm.login.dummy', session: first.body.session },
      });
      if (done.status !== 200) throw new Error(`register: ${JSON.stringify(done.body)}`);
      return done.body.access_token as string;
    };
    const token = await register();
    const login = async () => {
      const result = await post('/_matrix/client/v3/login', {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'user0' },
        password: PASSWORD,
      });
      if (result.status !== 200) throw new Error(`login: ${JSON.stringify(result.body)}`);
    };
    const whoami = async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/_matrix/client/v3/account/whoami',
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.statusCode !== 200) throw new Error(`whoami: ${response.body}`);
    };
    let written = 0;
    const accountData = async () => {
      const response = await app.inject({
        method: 'PUT',
        url: '/_matrix/client/v3/user/%40user0%3Aexample.org/account_data/org.example.bench',
        payload: { n: written++ },
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.statusCode !== 200) throw new Error(`account data: ${response.body}`);
    };
    return [
      await measureAsync('POST /login (password, scrypt N=2^15)', login),
      await measureAsync('POST /register (dummy UIA, 2 requests)', register),
      await measureAsync('GET /account/whoami (token lookup)', whoami),
      await measureAsync('PUT /user/{userId}/account_data/{type}', accountData),
    ];
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function measureAsync(label: string, fn: () => Promise<unknown>): Promise<BenchFigure> {
  const warmupEnd = performance.now() + 300;
  while (performance.now() < warmupEnd) await fn();
  let iterations = 0;
  const start = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < 2000 || iterations < 10) {
    await fn();
    iterations++;
    elapsedMs = performance.now() - start;
  }
  return {
    name: label,
    opsPerSecond: (iterations / elapsedMs) * 1000,
    microsecondsPerOp: (elapsedMs * 1000) / iterations,
    iterations,
    note: 'sequential, in-process inject, PGlite',
  };
}
