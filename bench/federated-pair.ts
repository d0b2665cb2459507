// Runs a federation bench workload against two real `cairn start` processes (hs1.test and
// hs2.test, federating over TLS on loopback, see conformance-tests/support/cairn-federation.ts),
// on PGlite and then, when CAIRN_TEST_DATABASE_URL names a server, on a scratch PostgreSQL
// database per server; bench/bench-client.ts has the client calls made on them.
// CAIRN_BENCH_CPU_PROF=<dir> starts both servers with --cpu-prof, which writes a .cpuprofile per
// process into <dir> when it stops (bench/cpuprofile-top.ts reads them).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { startFederatedCairns } from '../conformance-tests/support/cairn-federation.ts';
import {
  createScratchDatabase,
  dropScratchDatabase,
} from '../conformance-tests/support/databases.ts';
import type { BenchBackend } from './each-database.ts';
import type { BenchFigure } from './harness.ts';

export interface BenchAccount {
  readonly userId: string;
  readonly token: string;
}

export interface BenchHomeserver {
  readonly serverName: string;
  readonly pid: number;
  /** A JSON request with `token` (none when null); anything but a 200 throws with the body. */
  call(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
  ): Promise<Record<string, unknown>>;
}

export interface FederatedPair {
  readonly backend: BenchBackend;
  readonly hs1: BenchHomeserver;
  readonly hs2: BenchHomeserver;
}

export async function onEachFederatedPair(
  options: { connections: number },
  workload: (pair: FederatedPair) => Promise<BenchFigure[]>,
): Promise<BenchFigure[]> {
  const figures = await onPair('pglite', undefined, options.connections, workload);
  const serverUrl = process.env.CAIRN_TEST_DATABASE_URL;
  if (serverUrl) {
    figures.push(...(await onPair('postgres', serverUrl, options.connections, workload)));
  }
  return figures;
}

async function onPair(
  backend: BenchBackend,
  serverUrl: string | undefined,
  connections: number,
  workload: (pair: FederatedPair) => Promise<BenchFigure[]>,
): Promise<BenchFigure[]> {
  const scratch: string[] = [];
  const profileDir = process.env.CAIRN_BENCH_CPU_PROF;
  // Minutes-long requests (a remote join of a big room) must not hit undici's default timeouts.
  const agent = new Agent({ connections, headersTimeout: 900_000, bodyTimeout: 900_000 });
  const federation = await startFederatedCairns(
    ['hs1.test', 'hs2.test'],
    async () => {
      if (serverUrl === undefined) return undefined;
      const url = await createScratchDatabase(serverUrl);
      scratch.push(url);
      return url;
    },
    profileDir ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {},
  );
  try {
    const [hs1, hs2] = federation.servers.map(({ serverName, process: server }) => ({
      serverName,
      pid: server.child.pid!,
      call: async (method: string, path: string, token: string | null, body?: unknown) => {
        const response = await fetch(`${server.clientUrl}${path}`, {
          method,
          headers: {
            ...(token === null ? {} : { authorization: `Bearer ${token}` }),
            'content-type': 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          dispatcher: agent,
        });
        const json = (await response.json()) as Record<string, unknown>;
        if (response.status !== 200) {
          // A 500 says nothing by itself: the server's last error log line says what failed.
          // It is logged before the answer is sent, but read from the pipe some time later.
          if (response.status >= 500) await new Promise((resolve) => setTimeout(resolve, 500));
          const logged = response.status >= 500 ? server.logs.findLast(isErrorLog) : undefined;
          throw new Error(
            `${serverName} ${method} ${path}: ${JSON.stringify(json)}` +
              (logged ? ` (${serverName} logged: ${describeLog(logged)})` : ''),
          );
        }
        return json;
      },
    }));
    return await workload({ backend, hs1: hs1!, hs2: hs2! });
  } finally {
    await federation.stopAll();
    await agent.close();
    for (const url of scratch) await dropScratchDatabase(serverUrl!, url);
  }
}

/** Resident memory of a process, from /proc (Linux only; elsewhere undefined). */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping the order. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

/** Prints `what done/total` at most every few seconds, and at the end, for long setups. */
export function progress(label: string, total: number): (done: number) => void {
  const start = performance.now();
  let printedAt = start;
  return (done) => {
    const now = performance.now();
    if (done < total && now - printedAt < 5000) return;
    printedAt = now;
    const seconds = ((now - start) / 1000).toFixed(1);
    process.stdout.write(`  ${label}: ${done}/${total} (${seconds} s)\n`);
  };
}

/** An error log line in short: its message, the error's and where it was thrown. */
function describeLog(entry: Record<string, unknown>): string {
  const err = (entry.err ?? {}) as { type?: string; message?: string; stack?: string };
  const at = err.stack?.split('\n')[1]?.trim();
  return `${String(entry.msg)}: ${err.type ?? 'Error'}: ${err.message ?? ''}${at ? ` ${at}` : ''}`;
}

/** Pino's error and fatal levels. */
function isErrorLog(entry: Record<string, unknown>): boolean {
  return typeof entry.level === 'number' && entry.level >= 50;
}
