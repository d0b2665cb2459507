// The undici Agent every outbound federation request goes through (one per process: connections
// are kept alive and reused per destination). Its connector applies the address policy to the
// addresses each connection really uses: the IP literal it was given, or every address the
// resolver returned for a hostname, checked inside the lookup that net.connect calls, so a name
// that resolves to a public address when checked and to 127.0.0.1 when connecting (DNS
// rebinding) is still refused.
import { type LookupAddress, lookup as osLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { getCACertificates } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { isNonPublicAddress } from './address-policy.ts';

export interface FederationAgentOptions {
  /** federation_allow_private_networks: connect to loopback and private addresses too. */
  readonly allowPrivateNetworks: boolean;
  /** federation_verify_tls. */
  readonly verifyTls: boolean;
  /** PEM of extra trusted CAs (federation_ca_file), on top of the system store. */
  readonly extraCaPem?: string | undefined;
  readonly connectTimeoutMs?: number;
  /** The OS resolver by default. Tests give their names local answers here. */
  readonly lookup?: LookupFunction;
}

export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'CAIRN_FORBIDDEN_ADDRESS';
  constructor(host: string, addresses: readonly string[]) {
    super(
      `refusing to connect to ${host} (${addresses.join(', ')}): not a public address (federation_allow_private_networks is false)`,
    );
  }
}

export function createFederationAgent(options: FederationAgentOptions): Agent {
  return new Agent({
    connect: guardedConnector(options),
    // Federation peers are few and talked to again and again: keep connections for a while.
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: 8,
  });
}

/** An undici connector that refuses non-public addresses unless allowed. Exported so that tests
 * can wrap it (to reach a test server's port for a URL on 443, say) and keep the checks. */
export function guardedConnector(options: FederationAgentOptions): buildConnector.connector {
  const allowed = (address: string) => options.allowPrivateNetworks || !isNonPublicAddress(address);
  const connect = buildConnector({
    // The default store (with NODE_EXTRA_CA_CERTS) plus ours: `ca` alone would replace it.
    ...(options.extraCaPem ? { ca: [...getCACertificates('default'), options.extraCaPem] } : {}),
    rejectUnauthorized: options.verifyTls,
    minVersion: 'TLSv1.2',
    allowH2: false,
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: guardedLookup(options.lookup ?? (osLookup as LookupFunction), allowed),
  });
  return (connectOptions, callback) => {
    // net.connect skips the lookup for an IP literal, so it is judged here.
    const { hostname } = connectOptions;
    if (isIP(hostname) !== 0 && !allowed(hostname)) {
      callback(new ForbiddenAddressError(hostname, [hostname]), null);
      return;
    }
    connect(connectOptions, callback);
  };
}

function guardedLookup(
  lookup: LookupFunction,
  allowed: (address: string) => boolean,
): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    lookup(hostname, { ...lookupOptions, all: true }, (err, result) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const addresses = result as LookupAddress[];
      // Like Synapse's IP range blocklist, drop the refused addresses and use what is left.
      const usable = addresses.filter((entry) => allowed(entry.address));
      if (usable.length === 0) {
        const refused = addresses.map((entry) => entry.address);
        callback(new ForbiddenAddressError(hostname, refused) as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (lookupOptions.all) callback(null, usable);
      else callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
