// The PostgreSQL cluster the compared servers share (one at a time): a throwaway one started with
// .ci/postgres.sh when CAIRN_TEST_DATABASE_URL names none, a database per server, and the CPU the
// whole cluster spends, so a server on PostgreSQL is charged for the database work it causes
// (PGlite does that work inside Cairn's own process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../conformance-tests/support/synapse-peer.ts';

const POSTGRES_SH = join(import.meta.dirname, '..', '.ci', 'postgres.sh');

export interface BenchCluster {
  readonly serverUrl: string;
  /** The postmaster; its children are the backends, one per pooled connection. */
  readonly postmasterPid: number;
  /** A new empty database; `synapse` gives it the C collation Synapse insists on. */
  createDatabase(name: string, options?: { synapse?: boolean }): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  stop(): Promise<void>;
}

export async function openBenchCluster(): Promise<BenchCluster> {
  let serverUrl = process.env.CAIRN_TEST_DATABASE_URL;
  let stopOwn = () => {};
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-pg-'));
    const started = spawnSync('bash', [POSTGRES_SH, 'start', dir, String(await freePort())], {
      encoding: 'utf8',
    });
    if (started.status !== 0) throw new Error(`postgres.sh start failed: ${started.stderr}`);
    serverUrl = started.stdout.trim();
    stopOwn = () => {
      spawnSync('bash', [POSTGRES_SH, 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const url = serverUrl;
  const onServer = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(statement);
    } finally {
      await client.end();
    }
  };
  // The backend's parent, read while the backend still lives (it exits with its connection).
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  const backend = (await probe.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const postmasterPid = parentPid(backend);
  await probe.end();
  if (postmasterPid === undefined) {
    throw new Error('the PostgreSQL cluster must run on this machine (its CPU is read from /proc)');
  }
  return {
    serverUrl: url,
    postmasterPid,
    async createDatabase(name, options = {}) {
      // Synapse refuses a database whose collation is not C (its sort order assumptions).
      const collation = options.synapse
        ? " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        : '';
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await onServer(`CREATE DATABASE ${name}${collation}`);
      const database = new URL(url);
      database.pathname = `/${name}`;
      return database.href;
    },
    async dropDatabase(databaseUrl) {
      await onServer(
        `DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`,
      );
    },
    async stop() {
      stopOwn();
    },
  };
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function parentPid(pid: number): number | undefined {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isFinite(ppid) ? ppid : undefined;
}

const TICKS_PER_SECOND = 100;

/**
 * CPU seconds of the whole cluster so far: the postmaster, its live children (backends, WAL
 * writer, autovacuum), and, through the postmaster's cutime/cstime, every child it has reaped,
 * so a connection closed between two readings is still counted.
 */
export function clusterCpuSeconds(postmasterPid: number): number {
  const own = statFields(postmasterPid);
  if (own === undefined) return Number.NaN;
  // Fields 14-17 (utime, stime, cutime, cstime) are 11-14 counting from field 3.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmasterPid) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks / TICKS_PER_SECOND;
}
