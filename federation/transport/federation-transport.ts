// Outbound federation for one process, from the configuration: one keep-alive Agent (with the
// address policy and trusted CAs), the server name resolver (well-known over that Agent, SRV from
// the OS resolver) and the client on top. The X-Matrix signer comes in as `authorize`.
import { resolveSrv } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import type { Agent } from 'undici';
import { type Config, ConfigError } from '../../server/config/load-config.ts';
import { createFederationAgent, type FederationAgentOptions } from './federation-agent.ts';
import {
  type Authorize,
  createFederationClient,
  type FederationClient,
} from './federation-client.ts';
import {
  createServerNameResolver,
  type ServerNameResolver,
  type SrvResolver,
} from './resolve-server-name.ts';
import { wellKnownFetcher } from './well-known.ts';

export interface FederationTransport {
  readonly client: FederationClient;
  readonly resolver: ServerNameResolver;
  readonly agent: Agent;
  /** Closes the kept-alive connections (at shutdown). */
  close(): Promise<void>;
}

interface TransportLogger {
  warn(details: object, message: string): void;
}

export interface FederationTransportOptions {
  readonly authorize?: Authorize;
  /** Tests only: local answers for names (the OS resolvers by default). */
  readonly lookup?: FederationAgentOptions['lookup'];
  readonly resolveSrv?: SrvResolver;
}

type TransportConfig = Pick<
  Config,
  | 'federationCaFile'
  | 'federationVerifyTls'
  | 'federationAllowPrivateNetworks'
  | 'federationServerAddresses'
>;

export function createFederationTransport(
  config: TransportConfig,
  logger: TransportLogger,
  options: FederationTransportOptions = {},
): FederationTransport {
  if (!config.federationVerifyTls) {
    logger.warn(
      {},
      'federation_verify_tls is false: outbound federation accepts any certificate (development only)',
    );
  }
  if (config.federationAllowPrivateNetworks) {
    logger.warn(
      {},
      'federation_allow_private_networks is true: outbound federation may reach loopback and private addresses',
    );
  }
  const agent = createFederationAgent({
    allowPrivateNetworks: config.federationAllowPrivateNetworks,
    verifyTls: config.federationVerifyTls,
    extraCaPem: config.federationCaFile ? readCaFile(config.federationCaFile) : undefined,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  const resolver = createServerNameResolver({
    fetchWellKnown: wellKnownFetcher(agent),
    resolveSrv: options.resolveSrv ?? resolveSrv,
    fixedAddresses: config.federationServerAddresses,
  });
  const client = createFederationClient({
    dispatcher: agent,
    resolver,
    ...(options.authorize ? { authorize: options.authorize } : {}),
  });
  return { client, resolver, agent, close: () => agent.close() };
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read federation_ca_file ${path}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`federation_ca_file ${path} holds no PEM certificate`);
  }
  return pem;
}
