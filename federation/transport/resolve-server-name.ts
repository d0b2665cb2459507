// Server name -> where to connect, with which Host header (whose hostname is also the TLS server
// name the certificate must match), following the spec's steps in order:
// https://spec.matrix.org/latest/server-server-api/#resolving-server-names
// 1. IP literal: that IP, the given port or 8448. 2. Explicit port: that hostname and port.
// 3. /.well-known/matrix/server delegates to <delegated>[:port]: an IP literal or a port is used
//    as is; else SRV _matrix-fed._tcp.<delegated>, then the deprecated _matrix._tcp, then 8448.
// 4-6. No valid well-known: SRV _matrix-fed._tcp.<hostname>, then _matrix._tcp, then 8448.
// The well-known fetch and SRV lookups are passed in (the OS resolver boundary), so tests give
// them local answers. Addresses (A/AAAA) are looked up when connecting, where the address
// policy applies (federation-agent.ts).
import type { SrvRecord } from 'node:dns';
import { formatAuthority, parseServerName } from './server-name.ts';
import type { WellKnownFetcher } from './well-known.ts';

export interface ResolvedServer {
  /** IP literal, or hostname looked up (A/AAAA) when connecting. */
  readonly host: string;
  readonly port: number;
  /** The Host header; its hostname (unless an IP) is the TLS server name. */
  readonly hostHeader: string;
}

/** Like node:dns/promises resolveSrv: rejects with ENOTFOUND or ENODATA when there is none. */
export type SrvResolver = (name: string) => Promise<SrvRecord[]>;

export interface ServerNameResolverOptions {
  readonly fetchWellKnown: WellKnownFetcher;
  readonly resolveSrv: SrvResolver;
  readonly now?: () => number;
  /** For the weighted choice between SRV records of equal priority. */
  readonly random?: () => number;
  /**
   * federation_server_addresses: server name -> `host:port` used without discovery (servers on
   * one machine). The Host header stays the server name. Read at each call, so tests may add
   * entries once their peers listen.
   */
  readonly fixedAddresses?: ReadonlyMap<string, string>;
}

export interface ServerNameResolver {
  resolve(serverName: string): Promise<ResolvedServer>;
  /** Drops what is cached for a server name, so the next request resolves it afresh. */
  forget(serverName: string): void;
}

const DEFAULT_PORT = 8448;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// The spec recommends 24 h when the well-known response does not say, and at most 48 h. A lower
// bound keeps a `no-cache` answer from costing a request per outbound call.
const WELL_KNOWN_DEFAULT_MS = 24 * HOUR;
const WELL_KNOWN_MIN_MS = 5 * MINUTE;
const WELL_KNOWN_MAX_MS = 48 * HOUR;
// Failures: cached briefly, doubling for each failure in a row up to the spec's hour.
const FAILURE_FIRST_MS = 2 * MINUTE;
const FAILURE_MAX_MS = HOUR;
// resolveSrv does not return TTLs: answers are kept an hour, and lookups that failed for another
// reason than "no such record" (a DNS timeout, say) a couple of minutes.
const SRV_MS = HOUR;
const SRV_ERROR_MS = 2 * MINUTE;
const MAX_CACHED = 10_000;

interface Discovered {
  readonly resolved: ResolvedServer;
  readonly expiresAt: number;
}

export function createServerNameResolver(options: ServerNameResolverOptions): ServerNameResolver {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const cache = new Map<string, Discovered>();
  const inFlight = new Map<string, Promise<Discovered>>();
  const failuresInARow = new Map<string, number>();

  async function discover(hostname: string): Promise<Discovered> {
    const wellKnown = await options.fetchWellKnown(hostname);
    let wellKnownUntil: number;
    if ('server' in wellKnown) {
      failuresInARow.delete(hostname);
      const ageMs = clamp(
        wellKnown.maxAgeMs ?? WELL_KNOWN_DEFAULT_MS,
        WELL_KNOWN_MIN_MS,
        WELL_KNOWN_MAX_MS,
      );
      wellKnownUntil = now() + ageMs;
      const delegated = parseServerName(wellKnown.server);
      // 3.1 and 3.2: an IP literal or an explicit port is used as given.
      if (delegated.ipVersion !== 0 || delegated.port !== undefined) {
        return {
          resolved: {
            host: delegated.hostname,
            port: delegated.port ?? DEFAULT_PORT,
            hostHeader: wellKnown.server,
          },
          expiresAt: wellKnownUntil,
        };
      }
      // 3.3 to 3.5: SRV on the delegated name; the certificate is the delegated name's.
      return viaSrv(delegated.hostname, wellKnownUntil);
    }
    const failures = (failuresInARow.get(hostname) ?? 0) + 1;
    failuresInARow.set(hostname, failures);
    wellKnownUntil = now() + Math.min(FAILURE_FIRST_MS * 2 ** (failures - 1), FAILURE_MAX_MS);
    // 4 to 6: SRV on the server's own hostname.
    return viaSrv(hostname, wellKnownUntil);
  }

  async function viaSrv(hostname: string, wellKnownUntil: number): Promise<Discovered> {
    let srvUntil = now() + SRV_MS;
    for (const service of ['_matrix-fed._tcp', '_matrix._tcp']) {
      let records: SrvRecord[];
      try {
        records = await options.resolveSrv(`${service}.${hostname}`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTFOUND' && code !== 'ENODATA') srvUntil = now() + SRV_ERROR_MS;
        continue;
      }
      const record = pickSrvRecord(records, random);
      if (record) {
        return {
          resolved: { host: record.name, port: record.port, hostHeader: formatAuthority(hostname) },
          expiresAt: Math.min(wellKnownUntil, srvUntil),
        };
      }
    }
    return {
      resolved: { host: hostname, port: DEFAULT_PORT, hostHeader: formatAuthority(hostname) },
      expiresAt: Math.min(wellKnownUntil, srvUntil),
    };
  }

  return {
    async resolve(serverName) {
      const fixed = options.fixedAddresses?.get(serverName);
      if (fixed !== undefined) {
        const address = parseServerName(fixed);
        return {
          host: address.hostname,
          port: address.port ?? DEFAULT_PORT,
          hostHeader: serverName,
        };
      }
      const parsed = parseServerName(serverName);
      // 1 and 2: nothing to look up; the Host header is the server name as written.
      if (parsed.ipVersion !== 0 || parsed.port !== undefined) {
        return {
          host: parsed.hostname,
          port: parsed.port ?? DEFAULT_PORT,
          hostHeader: serverName,
        };
      }
      const cached = cache.get(parsed.hostname);
      if (cached && cached.expiresAt > now()) return cached.resolved;
      let pending = inFlight.get(parsed.hostname);
      if (!pending) {
        pending = discover(parsed.hostname).finally(() => inFlight.delete(parsed.hostname));
        inFlight.set(parsed.hostname, pending);
      }
      const discovered = await pending;
      if (cache.size >= MAX_CACHED) sweep(cache, now());
      cache.set(parsed.hostname, discovered);
      return discovered.resolved;
    },
    forget(serverName) {
      try {
        cache.delete(parseServerName(serverName).hostname);
      } catch {
        // Nothing can be cached under an invalid name.
      }
    },
  };
}

/** RFC 2782: the lowest priority; among those, a random choice weighted by `weight`. A single
 * record whose target is "." means the service is not offered there. */
export function pickSrvRecord(
  records: readonly SrvRecord[],
  random: () => number,
): SrvRecord | undefined {
  const usable = records
    .filter((r) => r.name !== '' && r.name !== '.')
    .map((r) => ({ ...r, name: r.name.replace(/\.$/, '') }));
  if (usable.length === 0) return undefined;
  const best = Math.min(...usable.map((r) => r.priority));
  const candidates = usable.filter((r) => r.priority === best);
  const total = candidates.reduce((sum, r) => sum + r.weight, 0);
  if (total === 0) return candidates[Math.floor(random() * candidates.length)] ?? candidates[0];
  let point = random() * total;
  for (const candidate of candidates) {
    point -= candidate.weight;
    if (point < 0) return candidate;
  }
  return candidates[candidates.length - 1];
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function sweep(cache: Map<string, Discovered>, at: number): void {
  for (const [key, entry] of cache) if (entry.expiresAt <= at) cache.delete(key);
  // Still full of live entries: drop the oldest (Map keeps insertion order).
  for (const key of cache.keys()) {
    if (cache.size < MAX_CACHED) break;
    cache.delete(key);
  }
}
