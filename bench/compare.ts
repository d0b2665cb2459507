// `npm run bench -- --compare synapse [--servers=a,b]`: the same client workloads, over HTTP,
// against Cairn on PostgreSQL and on PGlite, Synapse on PostgreSQL, and a ceiling (a bare fastify
// route doing one INSERT), one server at a time on this machine, in one run. Prints progress and
// a table of ratios; writes bench/results/compare-<date>.json and one SVG chart per workload.
// Sizes: CAIRN_BENCH_SENDERS (50), CAIRN_BENCH_ROOMS (100), CAIRN_BENCH_MESSAGES (1000 per
// layout), CAIRN_BENCH_SYNC_CLIENTS (200), CAIRN_BENCH_SYNC_ROUNDS (10). PostgreSQL: the cluster
// CAIRN_TEST_DATABASE_URL names, else a throwaway one. Synapse: .ci/install-synapse.sh's venv.
// Workloads (3)-(5) have fixed sizes (300 rooms x 300 members; a 10,000-member room with 50,000
// more state events; 2,000 federated messages) that --scale=<factor> shrinks for a quick run;
// --scale-3=, --scale-4=, --scale-5= set one workload's; --workloads=1,2,3,4,5 picks some ((6) and
// (7) are read during the others). --fixture-4=cairn builds (4)'s room on Cairn only (Synapse takes
// hours for the full size): Synapse joins it there, then the second Cairn joins through Synapse.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { synapseVenv } from '../conformance-tests/support/synapse-peer.ts';
import { runFederationWorkloads } from './compare-federation.ts';
import {
  type FederationResults,
  federationCharts,
  federationRows,
  formatFederationTable,
} from './compare-federation-report.ts';
import { initialSync, initialSyncSize } from './compare-initial-sync.ts';
import { openBenchCluster } from './compare-postgres.ts';
import { charts, formatTable, ratioTable, type ServerResult, svgChart } from './compare-report.ts';
import {
  type CompareTarget,
  startTarget,
  synapseSettings,
  TARGET_NAMES,
  type TargetName,
} from './compare-servers.ts';
import { httpCall, type Sizes, sendThroughput, syncLatency } from './compare-workloads.ts';
import { processMemory, resetPeakRss } from './process-stats.ts';

const RESULTS_DIR = join(import.meta.dirname, 'results');
const INSTALL_SYNAPSE = join(import.meta.dirname, '..', '.ci', 'install-synapse.sh');
// Long enough after the first answer for start-up work (migrations, caches warming) to settle.
const IDLE_SETTLE_MS = 3000;

const sizeFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};

export async function runCompare(args: readonly string[]): Promise<void> {
  if (args[0] !== 'synapse') {
    throw new Error(
      'usage: npm run bench -- --compare synapse [--servers=name,name] [--scale=0.1] [--workloads=1,3]',
    );
  }
  const option = (name: string) =>
    args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const scales = Object.fromEntries(
    [3, 4, 5].map((n) => [n, Number(option(`scale-${n}`) ?? option('scale') ?? 1)]),
  );
  if (!Object.values(scales).every((s) => s > 0)) throw new Error('a scale must be positive');
  // Stopped from the terminal: 'exit' handlers still kill the servers started so far.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const workloads = new Set((option('workloads') ?? '1,2,3,4,5').split(',').map(Number));
  const serversArg = option('servers');
  const servers = (serversArg?.split(',') ?? [...TARGET_NAMES]) as TargetName[];
  for (const name of servers) {
    if (!TARGET_NAMES.includes(name)) throw new Error(`unknown server ${name}: ${TARGET_NAMES}`);
  }
  const sizes: Sizes = {
    senders: sizeFromEnv('CAIRN_BENCH_SENDERS', 50),
    rooms: sizeFromEnv('CAIRN_BENCH_ROOMS', 100),
    messages: sizeFromEnv('CAIRN_BENCH_MESSAGES', 1000),
    syncClients: sizeFromEnv('CAIRN_BENCH_SYNC_CLIENTS', 200),
    syncRounds: sizeFromEnv('CAIRN_BENCH_SYNC_ROUNDS', 10),
  };
  const synapseVersion = servers.includes('synapse-postgres') ? installSynapse() : undefined;
  const runStart = performance.now();
  const log = (line: string) =>
    process.stdout.write(`[${((performance.now() - runStart) / 1000).toFixed(0)} s] ${line}\n`);

  const cluster = await openBenchCluster();
  // Every sync client holds a connection while it long-polls.
  // Minutes-long requests (a big initial sync or remote join) must not hit undici's default
  // timeouts.
  const agent = new Agent({
    connections: sizes.syncClients + sizes.senders + 20,
    headersTimeout: 1_800_000,
    bodyTimeout: 1_800_000,
  });
  const results: ServerResult[] = [];
  let federation: FederationResults | undefined;
  try {
    for (const name of servers) {
      const result: ServerResult = { name };
      results.push(result);
      log(`${name}: starting`);
      let started: { target: CompareTarget; databaseUrl?: string } | undefined;
      try {
        started = await startTarget(name, cluster);
        const { target } = started;
        result.startupMs = target.startupMs;
        await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
        result.idleRssBytes = processMemory(target.pid)?.rss;
        // From here VmHWM is the peak of the workloads, not of start-up.
        result.peakIsWorkloadOnly = resetPeakRss(target.pid);
        log(
          `${name}: up in ${target.startupMs} ms (pid ${target.pid}), ${mb(result.idleRssBytes)} idle`,
        );
        const call = httpCall(target, agent);
        if (workloads.has(1)) {
          log(`${name}: (1) send throughput, ${sizes.senders} senders`);
          result.send = await sendThroughput(target, call, sizes, cluster.postmasterPid);
          for (const f of result.send) {
            log(
              `${name}:   ${f.layout}: ${f.messagesPerSecond.toFixed(0)} msg/s (${f.messages} in ${f.wallMs.toFixed(0)} ms)`,
            );
          }
        }
        if (target.hasSync && workloads.has(2)) {
          log(`${name}: (2) send->sync latency, ${sizes.syncClients} syncing clients`);
          result.sync = await syncLatency(target, call, sizes, cluster.postmasterPid);
          log(
            `${name}:   p50 ${result.sync.p50Ms.toFixed(1)} ms, p99 ${result.sync.p99Ms.toFixed(1)} ms`,
          );
        }
        if (target.hasSync && workloads.has(3)) {
          log(`${name}: (3) initial sync, scale ${scales[3]}`);
          result.initialSync = await initialSync(
            target,
            call,
            agent,
            scales[3]!,
            cluster.postmasterPid,
            log,
          );
        }
        result.peakRssBytes = processMemory(target.pid)?.hwm;
        log(`${name}: peak RSS ${mb(result.peakRssBytes)}`);
      } catch (err) {
        result.error = (err as Error).message;
        log(`${name}: FAILED: ${result.error}`);
      } finally {
        await started?.target.stop();
        if (started?.databaseUrl) await cluster.dropDatabase(started.databaseUrl);
      }
    }
    if (workloads.has(4) || workloads.has(5)) {
      federation = await runFederationWorkloads({
        cluster,
        agent,
        scales,
        workloads,
        withSynapse: servers.includes('synapse-postgres'),
        bigRoomOnCairnOnly: option('fixture-4') === 'cairn',
        log,
      });
    }
  } finally {
    await agent.close();
    await cluster.stop();
  }

  process.stdout.write(`\n${formatTable(results)}\n`);
  if (federation) process.stdout.write(`\n${formatFederationTable(federation)}\n`);
  const date = new Date().toISOString();
  const stem = `compare-${date.replaceAll(':', '-')}`;
  const subtitle =
    `${sizes.senders} senders, ${sizes.messages} messages per layout, ${sizes.rooms} rooms; ` +
    `${sizes.syncClients} syncing clients x ${sizes.syncRounds} rounds; ` +
    `(3) ${initialSyncSize(scales[3]!).rooms} rooms x ${initialSyncSize(scales[3]!).members} members; ` +
    `${cpus().length} cores`;
  const report = {
    date,
    machine: {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpuCount: cpus().length,
      totalMemoryBytes: totalmem(),
      node: process.version,
    },
    sizes,
    scales,
    workloads: [...workloads],
    synapse: synapseVersion && {
      version: synapseVersion,
      settings: synapseSettings('postgres://user@host:1/database'),
      note: 'plus synapse-peer.ts defaults: every rc_* rate limit out of reach, INFO logging',
    },
    servers: results,
    table: ratioTable(results),
    federation,
    federationTable: federation && federationRows(federation),
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  const jsonPath = join(RESULTS_DIR, `${stem}.json`);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${jsonPath}\n`);
  for (const chart of charts()) {
    const path = join(RESULTS_DIR, `${stem}-${chart.file}.svg`);
    await writeFile(path, svgChart(chart, results, subtitle));
    process.stdout.write(`wrote ${path}\n`);
  }
  for (const chart of federation ? federationCharts(federation) : []) {
    const path = join(RESULTS_DIR, `${stem}-${chart.file}.svg`);
    await writeFile(path, chart.svg);
    process.stdout.write(`wrote ${path}\n`);
  }
  if (results.some((r) => r.error !== undefined) || federation?.errors.length) {
    process.exitCode = 1;
  }
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '? MB' : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Installs (or finds, without the network, in the cache) the pinned Synapse with psycopg2. */
function installSynapse(): string {
  const installed = spawnSync('bash', [INSTALL_SYNAPSE], {
    encoding: 'utf8',
    env: { ...process.env, CAIRN_SYNAPSE_VENV: synapseVenv() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (installed.status !== 0) throw new Error('.ci/install-synapse.sh failed');
  process.stdout.write(installed.stdout);
  return /matrix-synapse (\S+)/.exec(installed.stdout)?.[1] ?? 'unknown';
}
