// In-process Cairn federation apps as peers for federation tests: each has its own server name,
// signing key, clock and database, and listens on loopback over plain HTTP. Peers reach each
// other through `PeerNetwork.fetchJson`, which maps server names to their loopback addresses,
// counts requests, and can cut a peer off (an unreachable server).
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import {
  type FetchJson,
  type ServerKeyStore,
  serverKeyStoreFor,
} from '../../federation/keys/remote-keys.ts';
import { buildFederationApp } from '../../server/app.ts';
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { toServerSigningKey } from '../../server/keys/signing-key-file.ts';
import type { Database } from '../../server/storage/schema.ts';
import { TEST_NOW } from './databases.ts';
import { buildTestContext } from './test-context.ts';

export interface FederationPeer {
  readonly serverName: string;
  readonly ctx: Context;
  readonly app: FastifyInstance;
  readonly serverKeys: ServerKeyStore;
  /** Move this peer's clock. */
  setNow(now: number): void;
}

export interface PeerNetwork {
  /** GET or POST to a peer by server name; rejects for unknown or cut-off names and non-200. */
  readonly fetchJson: FetchJson;
  /** Requests made, as `serverName path` lines, in order. */
  readonly requests: string[];
  /** Names that cannot be reached; add or delete to cut a peer off or bring it back. */
  readonly unreachable: Set<string>;
  /** Requests from `from` to these names fail: a partition seen by one side only. */
  unreachableFrom(from: string, to: string): void;
  start(options: PeerOptions): Promise<FederationPeer>;
  close(): Promise<void>;
}

export interface PeerOptions {
  readonly serverName: string;
  readonly db: Kysely<Database>;
  /** Fills the 32-byte seed of the signing key. */
  readonly seedByte: number;
  readonly keyVersion?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Test routes, added before the app listens. */
  readonly routes?: (app: FastifyInstance) => void;
}

export function createPeerNetwork(): PeerNetwork {
  const addresses = new Map<string, string>();
  const apps: FastifyInstance[] = [];
  const requests: string[] = [];
  const unreachable = new Set<string>();
  const cut = new Set<string>();

  const fetchFrom =
    (from: string): FetchJson =>
    async (serverName, path, body) => {
      requests.push(`${serverName} ${path}`);
      const base = addresses.get(serverName);
      if (!base || unreachable.has(serverName) || cut.has(`${from} ${serverName}`)) {
        throw new Error(`${serverName} is unreachable`);
      }
      const response = await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      if (response.status !== 200) throw new Error(`${serverName}${path}: ${response.status}`);
      return (await response.json()) as JsonObject;
    };

  return {
    fetchJson: fetchFrom(''),
    requests,
    unreachable,
    unreachableFrom: (from, to) => cut.add(`${from} ${to}`),
    async start(options) {
      let now = TEST_NOW;
      const base: Context = {
        ...buildTestContext(options.db, { CAIRN_SERVER_NAME: options.serverName, ...options.env }),
        signingKey: toServerSigningKey({
          algorithm: 'ed25519',
          version: options.keyVersion ?? 'peer',
          seed: new Uint8Array(32).fill(options.seedByte),
        }),
        now: () => now,
      };
      const serverKeys = serverKeyStoreFor(base, fetchFrom(options.serverName));
      const ctx: Context = { ...base, federation: { ...base.federation, serverKeys } };
      const app = buildFederationApp(ctx, undefined, serverKeys);
      options.routes?.(app);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      addresses.set(options.serverName, url);
      apps.push(app);
      return {
        serverName: options.serverName,
        ctx,
        app,
        serverKeys,
        setNow: (value) => {
          now = value;
        },
      };
    },
    async close() {
      await Promise.all(apps.map((app) => app.close()));
    },
  };
}
