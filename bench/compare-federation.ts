// Workloads (4) and (5) of bench/compare.ts, between servers that federate with each other on
// loopback: two Cairns (cairn-a hosts, cairn-b joins, both on PostgreSQL) and Synapse on
// PostgreSQL, set up as conformance-tests/support/synapse-peer.ts sets them up for the interop
// tests: `localhost:<port>` server names (no discovery), TLS verified both ways against one test
// CA. Runs (5) first (small rooms, quick), then (4) (big fixtures), and returns what it measured;
// a direction that fails is reported as such and the others still run.
import type { Agent } from 'undici';
import { newDataDir, startCairn, testEnv } from '../conformance-tests/support/cairn-process.ts';
import {
  cairnEnvForSynapse,
  type SynapsePeer,
  startSynapse,
} from '../conformance-tests/support/synapse-peer.ts';
import { createTestCa } from '../conformance-tests/support/test-tls.ts';
import type { FederationResults } from './compare-federation-report.ts';
import type { BenchCluster } from './compare-postgres.ts';
import { bigRoomSize, buildBigRoom, timeRemoteJoin } from './compare-remote-join.ts';
import { replicate, replicationSize } from './compare-replication.ts';
import { type CompareTarget, synapseSettings } from './compare-servers.ts';
import { type Call, httpCall } from './compare-workloads.ts';

export interface FederatedServer {
  /** cairn-a, cairn-b or synapse. */
  readonly label: string;
  readonly kind: 'cairn' | 'synapse';
  readonly serverName: string;
  readonly target: CompareTarget;
  readonly call: Call;
}

interface Options {
  readonly cluster: BenchCluster;
  readonly agent: Agent;
  /** Per workload number. */
  readonly scales: Readonly<Record<number, number>>;
  readonly workloads: ReadonlySet<number>;
  readonly withSynapse: boolean;
  /**
   * (4) with its room built on cairn-a only: Synapse joins it there (Synapse joins Cairn's room),
   * then cairn-b joins it through Synapse (Cairn joins a room Synapse serves: make_join and
   * send_join answered from Synapse's state). No Cairn-to-Cairn join then.
   */
  readonly bigRoomOnCairnOnly?: boolean;
  readonly log: (line: string) => void;
}

export async function runFederationWorkloads(options: Options): Promise<FederationResults> {
  const { cluster, agent, scales, workloads, withSynapse, log } = options;
  const results: FederationResults = {
    replication: [],
    joins: [],
    fixtures: [],
    sizes: { ...replicationSize(scales[5]!), ...bigRoomSize(scales[4]!) },
    errors: [],
  };
  const databases: string[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  const database = async (name: string, synapse = false) => {
    const url = await cluster.createDatabase(`bench_fed_${name}_${process.pid}`, { synapse });
    databases.push(url);
    return url;
  };
  // Each Cairn's warnings and errors, to say why a direction failed.
  const cairnLogs = new Map<string, Record<string, unknown>[]>();
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      const message = `${what}: ${(err as Error).message}`;
      results.errors.push(message);
      log(`FAILED ${message.slice(0, 2000)}`);
      for (const [label, logs] of cairnLogs) {
        for (const entry of logs.filter((e) => Number(e.level) >= 40).slice(-5)) {
          log(`  ${label} logged: ${JSON.stringify(entry).slice(0, 600)}`);
        }
      }
    }
  };
  try {
    log(`federation: starting cairn-a, cairn-b${withSynapse ? ' and synapse' : ''}`);
    let synapse: FederatedServer | undefined;
    let peerForCa: Pick<SynapsePeer, 'ca' | 'caPath'>;
    if (withSynapse) {
      const peer = await startSynapse({
        extraConfig: synapseSettings(await database('synapse', true)),
        startTimeoutMs: 300_000,
      });
      stops.push(() => peer.stop());
      peerForCa = peer;
      synapse = federated('synapse', peer.serverName, peer.child.pid!, peer.clientUrl, agent);
    } else {
      const ca = createTestCa();
      peerForCa = { ca, caPath: ca.certPath };
    }
    const startOne = async (label: string) => {
      // Only the CA of the peer is read: Cairn's certificate from it, and it trusted.
      const { serverName, env } = await cairnEnvForSynapse(peerForCa as SynapsePeer);
      const server = await startCairn(
        testEnv(newDataDir(), {
          ...env,
          CAIRN_ENABLE_REGISTRATION: 'true',
          CAIRN_DATABASE_URL: await database(label.replace('-', '_')),
          ...(process.env.CAIRN_BENCH_CPU_PROF
            ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.CAIRN_BENCH_CPU_PROF}` }
            : {}),
        }),
        120_000,
      );
      stops.push(() => server.stop());
      cairnLogs.set(label, server.logs);
      return federated(label, serverName, server.child.pid!, server.clientUrl, agent);
    };
    const a = await startOne('cairn-a');
    const b = await startOne('cairn-b');
    const s = synapse;

    if (workloads.has(5)) {
      const pairs: [FederatedServer, FederatedServer][] = [[a, b]];
      if (s) pairs.push([a, s], [s, b]);
      for (const [from, to] of pairs) {
        await attempt(`(5) ${from.label} -> ${to.label}`, async () => {
          results.replication.push(await replicate(from, to, scales[5]!, log));
        });
      }
    }
    if (workloads.has(4)) {
      const rooms = new Map<string, string>();
      const onCairnOnly = options.bigRoomOnCairnOnly === true && s !== undefined;
      for (const host of s && !onCairnOnly ? [a, s] : [a]) {
        await attempt(`(4) fixture on ${host.label}`, async () => {
          const built = await buildBigRoom(host, scales[4]!, log);
          rooms.set(host.label, built.roomId);
          results.fixtures.push(built.figure);
        });
      }
      const joins: [FederatedServer, FederatedServer][] = onCairnOnly ? [] : [[b, a]];
      if (s) joins.push([s, a], [b, s]);
      if (onCairnOnly && s) rooms.set(s.label, rooms.get(a.label)!);
      for (const [joiner, host] of joins) {
        const roomId = rooms.get(host.label);
        if (roomId === undefined) continue;
        await attempt(`(4) ${joiner.label} joins ${host.label}'s room`, async () => {
          results.joins.push(await timeRemoteJoin(joiner, host, roomId, log));
        });
      }
    }
  } catch (err) {
    results.errors.push(`federation setup: ${(err as Error).message}`);
    log(`federation: FAILED: ${(err as Error).message}`);
  } finally {
    for (const stop of stops.reverse()) await stop();
    for (const url of databases) await cluster.dropDatabase(url);
  }
  return results;
}

function federated(
  label: string,
  serverName: string,
  pid: number,
  clientUrl: string,
  agent: Agent,
): FederatedServer {
  const kind = label === 'synapse' ? 'synapse' : 'cairn';
  const target: CompareTarget = {
    name: kind === 'cairn' ? 'cairn-postgres' : 'synapse-postgres',
    pid,
    clientUrl,
    startupMs: 0,
    onCluster: true,
    registersWithPassword: kind === 'synapse',
    hasSync: true,
    stop: async () => {},
  };
  return { label, kind, serverName, target, call: httpCall(target, agent) };
}
