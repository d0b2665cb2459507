// The servers bench/compare.ts measures, each started as its own process on loopback so its
// memory and CPU can be read from /proc: Cairn (`cairn start`) on PostgreSQL and on PGlite,
// Synapse on PostgreSQL (psycopg2, its recommended production database), and the ceiling
// (bench/compare-ceiling.ts).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { newDataDir, startCairn, testEnv } from '../conformance-tests/support/cairn-process.ts';
import { startSynapse } from '../conformance-tests/support/synapse-peer.ts';
import type { BenchCluster } from './compare-postgres.ts';

export const TARGET_NAMES = [
  'ceiling',
  'cairn-postgres',
  'cairn-pglite',
  'synapse-postgres',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface CompareTarget {
  readonly name: TargetName;
  readonly pid: number;
  readonly clientUrl: string;
  readonly startupMs: number;
  /** Whether its database work happens in the PostgreSQL cluster (false: in-process PGlite). */
  readonly onCluster: boolean;
  /** Synapse refuses registration without a password; Cairn hashes one with scrypt, which would
   * only slow the setup, so it registers without. */
  readonly registersWithPassword: boolean;
  /** The ceiling has no /sync: only the send workload runs on it. */
  readonly hasSync: boolean;
  stop(): Promise<void>;
}

/** Synapse settings beyond synapse-peer.ts's (which already turns every rate limit off), each
 * reported in the JSON so a reader knows what Synapse ran with. */
export function synapseSettings(databaseUrl: string): Record<string, unknown> {
  const url = new URL(databaseUrl);
  return {
    database: {
      name: 'psycopg2',
      args: {
        user: url.username,
        host: url.hostname,
        port: Number(url.port),
        database: url.pathname.slice(1),
        // Synapse's defaults, written out: the same pool size (10) as Cairn's pg pool.
        cp_min: 5,
        cp_max: 10,
      },
    },
    // Open registration with the dummy stage, as Cairn's: the bench registers its own users.
    enable_registration: true,
    enable_registration_without_verification: true,
    // Setup speed only (bcrypt at the default 12 rounds costs ~0.25 s of CPU per account).
    bcrypt_rounds: 4,
  };
}

export async function startTarget(
  name: TargetName,
  cluster: BenchCluster,
): Promise<{
  target: CompareTarget;
  databaseUrl?: string;
}> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  const dbName = `bench_${name.replaceAll('-', '_')}_${process.pid}`;
  if (name === 'cairn-postgres' || name === 'cairn-pglite') {
    const databaseUrl =
      name === 'cairn-postgres' ? await cluster.createDatabase(dbName) : undefined;
    const server = await startCairn(
      testEnv(newDataDir(), {
        CAIRN_ENABLE_REGISTRATION: 'true',
        ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
      }),
      120_000,
    );
    return {
      databaseUrl,
      target: {
        name,
        pid: server.child.pid!,
        clientUrl: server.clientUrl,
        startupMs: elapsed(),
        onCluster: databaseUrl !== undefined,
        registersWithPassword: false,
        hasSync: true,
        stop: async () => {
          await server.stop();
        },
      },
    };
  }
  if (name === 'synapse-postgres') {
    const databaseUrl = await cluster.createDatabase(dbName, { synapse: true });
    const peer = await startSynapse({
      extraConfig: synapseSettings(databaseUrl),
      startTimeoutMs: 300_000,
    });
    return {
      databaseUrl,
      target: {
        name,
        pid: peer.child.pid!,
        clientUrl: peer.clientUrl,
        startupMs: elapsed(),
        onCluster: true,
        registersWithPassword: true,
        hasSync: true,
        stop: () => peer.stop(),
      },
    };
  }
  const databaseUrl = await cluster.createDatabase(dbName);
  const child = spawn(
    process.execPath,
    [`${import.meta.dirname}/compare-ceiling.ts`, databaseUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ceiling exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    );
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    databaseUrl,
    target: {
      name,
      pid: child.pid!,
      clientUrl: `http://127.0.0.1:${port}`,
      startupMs: elapsed(),
      onCluster: true,
      registersWithPassword: false,
      hasSync: false,
      stop: async () => {
        child.kill('SIGTERM');
        await exited;
        process.removeListener('exit', killOnExit);
      },
    },
  };
}
