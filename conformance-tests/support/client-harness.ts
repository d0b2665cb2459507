// In-process client API tests: the real client app over a test database (see databases.ts),
// requests through fastify's inject, every response checked against the spec's OpenAPI schemas
// unless a test opts out, and fixture accounts without paying for scrypt each time.
//
//   for (const kind of DATABASE_KINDS) {
//     test(`${kind}: ...`, (t) =>
//       withClient(t, kind, async (client) => {
//         const alice = await client.newAccount('alice');
//         const { status, body } = await client.call('GET', '/_matrix/client/v3/devices', { token: alice.accessToken });
//       }));
//   }
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { startLoginSession } from '../../server/accounts/login-session.ts';
import { hashPassword } from '../../server/accounts/password-hash.ts';
import { buildClientApp } from '../../server/app.ts';
import type { Context } from '../../server/context.ts';
import { createProfile } from '../../server/storage/profiles.ts';
import type { Database } from '../../server/storage/schema.ts';
import { type DatabaseKind, newUser, TEST_NOW, withTestDatabase } from './databases.ts';
import { loadSpecValidator, type SpecValidator } from './openapi-validator.ts';
import { buildTestContext } from './test-context.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
// One real scrypt hash, made once per process and shared by every fixture account.
const testPasswordHash = hashPassword(TEST_PASSWORD);

export interface TestAccount {
  userId: string;
  localpart: string;
  deviceId: string;
  accessToken: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Raw text body, sent as is (for malformed JSON). */
  rawBody?: string;
  /** Skip the spec check (for responses the spec documents differently, said why at the call). */
  unchecked?: boolean;
}

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
  body: any;
}

export interface ClientHarness {
  app: FastifyInstance;
  ctx: Context;
  db: Kysely<Database>;
  spec: SpecValidator;
  call(method: string, url: string, options?: CallOptions): Promise<CallResult>;
  /** A user with TEST_PASSWORD, a profile, and one logged-in device. */
  newAccount(localpart: string, options?: { deviceId?: string }): Promise<TestAccount>;
  /** A further device and access token for an account. */
  newLogin(userId: string, deviceId?: string): Promise<{ deviceId: string; accessToken: string }>;
}

export function withClient(
  t: TestContext,
  kind: DatabaseKind,
  fn: (client: ClientHarness) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  return withTestDatabase(t, kind, async (db) => {
    const ctx = buildTestContext(db, env);
    const app = buildClientApp(ctx);
    const spec = await loadSpecValidator();
    const newLogin = (userId: string, deviceId?: string) =>
      db.transaction().execute((trx) =>
        startLoginSession(trx, {
          userId,
          deviceId,
          refresh: false,
          accessTokenLifetimeMs: ctx.config.accessTokenLifetimeMs,
          now: TEST_NOW,
        }),
      );
    const harness: ClientHarness = {
      app,
      ctx,
      db,
      spec,
      async call(method, url, options = {}) {
        const headers: Record<string, string> = {};
        if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
        let payload: string | undefined;
        if (options.rawBody !== undefined) payload = options.rawBody;
        else if (options.body !== undefined) payload = JSON.stringify(options.body);
        if (payload !== undefined) headers['content-type'] = 'application/json';
        const response = await app.inject({
          method: method as 'GET',
          url,
          headers,
          ...(payload === undefined ? {} : { payload }),
        });
        const status = response.statusCode;
        const body = response.body === '' ? undefined : response.json();
        // A server fault is never an acceptable answer to client input.
        assert.ok(status < 500, `${method} ${url} -> ${status} ${response.body}`);
        if (!options.unchecked) spec.assertResponse({ method, path: url, status, body });
        return { status, body };
      },
      async newAccount(localpart, options = {}) {
        const user = await newUser(db, localpart, { passwordHash: await testPasswordHash });
        await createProfile(db, user.userId, { displayname: localpart, avatarUrl: null });
        const session = await newLogin(user.userId, options.deviceId);
        return { userId: user.userId, localpart, ...session };
      },
      newLogin,
    };
    await fn(harness);
  });
}

/** Asserts a Matrix error response. */
export function assertError(result: CallResult, status: number, errcode: string): void {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.equal(result.body?.errcode, errcode, JSON.stringify(result.body));
}

/** Every table's rows, to show that a refused request changed nothing. */
export async function snapshotTables(
  db: Kysely<Database>,
  tables: readonly (keyof Database)[],
): Promise<string> {
  const rows: Record<string, unknown> = {};
  for (const table of tables) rows[table] = await db.selectFrom(table).selectAll().execute();
  return JSON.stringify(rows);
}
