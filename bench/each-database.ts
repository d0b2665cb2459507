// Runs a bench workload against the real client app listening on 127.0.0.1, on PGlite and then,
// when CAIRN_TEST_DATABASE_URL names a server, on a scratch PostgreSQL database; the figures of
// both are returned. Setup and teardown (database, migrations, app, HTTP agent) live here once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import {
  createScratchDatabase,
  dropScratchDatabase,
} from '../conformance-tests/support/databases.ts';
import { buildTestContext } from '../conformance-tests/support/test-context.ts';
import { buildClientApp } from '../server/app.ts';
import type { Context } from '../server/context.ts';
import { openDatabase } from '../server/storage/database.ts';
import { migrateToLatest } from '../server/storage/migrate.ts';
import type { BenchFigure } from './harness.ts';

export type BenchBackend = 'pglite' | 'postgres';

/** An authenticated JSON request; anything but a 200 throws with the response body. */
export type BenchCall = (
  method: string,
  path: string,
  token: string,
  body?: unknown,
) => Promise<Record<string, unknown>>;

export interface BenchServer {
  readonly backend: BenchBackend;
  readonly ctx: Context;
  readonly call: BenchCall;
}

export async function onEachDatabase(
  options: { connections: number },
  workload: (server: BenchServer) => Promise<BenchFigure[]>,
): Promise<BenchFigure[]> {
  const figures = await onDatabase('pglite', undefined, options.connections, workload);
  const serverUrl = process.env.CAIRN_TEST_DATABASE_URL;
  if (serverUrl) {
    const databaseUrl = await createScratchDatabase(serverUrl);
    try {
      figures.push(...(await onDatabase('postgres', databaseUrl, options.connections, workload)));
    } finally {
      await dropScratchDatabase(serverUrl, databaseUrl);
    }
  }
  return figures;
}

async function onDatabase(
  backend: BenchBackend,
  databaseUrl: string | undefined,
  connections: number,
  workload: (server: BenchServer) => Promise<BenchFigure[]>,
): Promise<BenchFigure[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-'));
  const opened = await openDatabase({ databaseUrl, dataDir });
  const agent = new Agent({ connections });
  try {
    await migrateToLatest(opened.db);
    const ctx = buildTestContext(opened.db);
    const app = buildClientApp(ctx);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const call: BenchCall = async (method, path, token, body) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        dispatcher: agent,
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (response.status !== 200) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    try {
      return await workload({ backend, ctx, call });
    } finally {
      ctx.sync.notifier.close();
      await app.close();
    }
  } finally {
    await agent.close();
    await opened.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
