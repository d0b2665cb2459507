// Several `cairn start` processes that federate with each other on loopback, as separate servers
// would: each has its own server name (`hs1.test`, ...), data dir and database, a TLS certificate
// for its name from one test CA that all of them trust, and fixed addresses for the others'
// names (federation_server_addresses), since no DNS knows `.test` names.
import { type CairnProcess, newDataDir, startCairn, testEnv } from './cairn-process.ts';
import { freePort } from './synapse-peer.ts';
import { type Relay, startRelay } from './tcp-partition.ts';
import { createTestCa, type TestCa } from './test-tls.ts';

export interface FederatedCairn {
  readonly serverName: string;
  readonly process: CairnProcess;
  /** The environment it was started with, to start it again (a restart keeps its data dir). */
  readonly env: NodeJS.ProcessEnv;
}

export interface CairnFederation {
  readonly servers: FederatedCairn[];
  /** Starts server `index` again with the same data dir, database and port. */
  restart(index: number): Promise<FederatedCairn>;
  stopAll(): Promise<void>;
  /** With `relays`: cut (true) or restore (false) every link between the servers. */
  partition(cut: boolean): void;
}

export interface FederationOptions {
  /** The CA that issues the servers' certificates and that they trust; a new one by default. */
  readonly ca?: TestCa;
  /** More `name=host:port` entries: peers the test runs itself. */
  readonly extraAddresses?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Route each server's federation traffic to each other one through its own relay (both
   * directions apart), so `partition()` can cut them off from each other.
   */
  readonly relays?: boolean;
  /** `name` -> `host:port`: where the other servers reach that server instead (a test proxy). */
  readonly addressOverrides?: Readonly<Record<string, string>>;
}

export async function startFederatedCairns(
  names: readonly string[],
  databaseUrl: () => Promise<string | undefined>,
  options: FederationOptions = {},
): Promise<CairnFederation> {
  const ca = options.ca ?? createTestCa();
  const ports = await Promise.all(names.map(() => freePort()));
  const relays: Relay[] = [];
  const addressesFor = async (from: number) => {
    const entries: string[] = [];
    for (const [to, name] of names.entries()) {
      let port = ports[to]!;
      const override = to === from ? undefined : options.addressOverrides?.[name];
      if (override !== undefined) {
        entries.push(`${name}=${override}`);
        continue;
      }
      if (options.relays && to !== from) {
        const relay = await startRelay(port);
        relays.push(relay);
        port = relay.port;
      }
      entries.push(`${name}=127.0.0.1:${port}`);
    }
    return [...entries, ...(options.extraAddresses ?? [])].join(',');
  };
  const envs = await Promise.all(
    names.map(async (name, i) => {
      const certificate = ca.issue({ dns: [name] });
      const url = await databaseUrl();
      return testEnv(newDataDir(), {
        CAIRN_SERVER_NAME: name,
        CAIRN_FEDERATION_PORT: String(ports[i]),
        CAIRN_FEDERATION_TLS_CERT_PATH: certificate.certPath,
        CAIRN_FEDERATION_TLS_KEY_PATH: certificate.keyPath,
        CAIRN_FEDERATION_CA_FILE: ca.certPath,
        CAIRN_FEDERATION_ALLOW_PRIVATE_NETWORKS: 'true',
        CAIRN_FEDERATION_SERVER_ADDRESSES: await addressesFor(i),
        CAIRN_ENABLE_REGISTRATION: 'true',
        ...(url ? { CAIRN_DATABASE_URL: url } : {}),
        ...options.env,
      });
    }),
  );
  const servers: FederatedCairn[] = [];
  for (const [i, env] of envs.entries()) {
    servers.push({ serverName: names[i]!, process: await startCairn(env), env });
  }
  return {
    servers,
    async restart(index) {
      const env = envs[index]!;
      const server = { serverName: names[index]!, process: await startCairn(env), env };
      servers[index] = server;
      return server;
    },
    async stopAll() {
      await Promise.all(servers.map((server) => server.process.stop()));
      await Promise.all(relays.map((relay) => relay.close()));
    },
    partition(cut) {
      for (const relay of relays) {
        if (cut) relay.cut();
        else relay.heal();
      }
    },
  };
}
