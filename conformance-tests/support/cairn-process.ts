// Runs Cairn as a real process (`node server/main.ts start`), the way a user does, on free ports
// in a temporary data dir, and tells the test where it listens.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, fetch as undiciFetch } from 'undici';
import { NO_RATE_LIMITS } from './no-rate-limits.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(REPO_ROOT, 'server', 'main.ts');

export interface CairnProcess {
  readonly clientUrl: string;
  readonly federationUrl: string;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly child: ChildProcess;
  /** Every log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Everything the process wrote so far, stdout and stderr, as written. */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-proc-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Environment for a test server: free ports, its own data dir, no rate limits (clients in tests
 * send far faster than people; `extra` may set CAIRN_RATE_LIMIT_* back). Logs stay at info: the
 * start is detected from the "Cairn started" line. */
export function testEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CAIRN_DATA_DIR: dataDir,
    CAIRN_CLIENT_PORT: '0',
    CAIRN_FEDERATION_PORT: '0',
    CAIRN_LOG_LEVEL: 'info',
    ...NO_RATE_LIMITS,
    ...extra,
  };
  // The runner's own database URL must not leak into a server meant to use PGlite.
  if (!('CAIRN_DATABASE_URL' in extra)) delete env.CAIRN_DATABASE_URL;
  delete env.CAIRN_CONFIG;
  return env;
}

export async function startCairn(
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<CairnProcess> {
  const child = spawn(process.execPath, [MAIN, 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let output = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
    output += chunk;
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Cairn did not start in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'Cairn started') {
        clearTimeout(timer);
        resolve(entry);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Cairn exited with ${code} before starting\n${stderr}`));
    });
  });
  const entry = await started;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    clientUrl: String(entry.clientUrl),
    federationUrl: String(entry.federationUrl),
    dataDir: String(env.CAIRN_DATA_DIR),
    env,
    child,
    logs,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** fetch() on the federation listener, over TLS with the certificate Cairn generated into its
 * data dir trusted for its server name, as a peer that was given that certificate would. */
export function federationFetch(
  server: CairnProcess,
  path: string,
  init: Parameters<typeof undiciFetch>[1] = {},
): ReturnType<typeof undiciFetch> {
  const dispatcher = new Agent({
    connect: {
      ca: readFileSync(join(server.dataDir, 'federation-tls', 'cert.pem'), 'utf8'),
      servername: String(server.env.CAIRN_SERVER_NAME ?? 'localhost').replace(/:\d+$/, ''),
    },
  });
  return undiciFetch(`${server.federationUrl}${path}`, { ...init, dispatcher }).finally(() =>
    dispatcher.close(),
  );
}

/** Runs a `cairn` CLI command to completion. */
export function runCairn(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
