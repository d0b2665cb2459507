// Other servers' signing keys: looked up in a per-process cache, then the server_keys table, then
// fetched from the server itself (GET /_matrix/key/v2/server) or, when that fails, from the
// trusted notaries (POST /_matrix/key/v2/query). A key is used until its valid_until_ts (capped at
// 7 days from the fetch); a lookup for a later time fetches again. Concurrent lookups of one
// server share one fetch.
// https://spec.matrix.org/latest/server-server-api/#retrieving-server-keys
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Context, ServerSigningKey } from '../../server/context.ts';
import { isValidServerName } from '../../server/core/auth-rules/identifiers.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import type { Database } from '../../server/storage/schema.ts';
import {
  listServerKeys,
  type StoredServerKey,
  saveServerKeys,
} from '../../server/storage/server-keys.ts';
import { type CheckedKeyResponse, checkKeyResponse, signedByAny } from './check-key-response.ts';

/**
 * GETs `path` from a server's federation API, or POSTs `body` when given, and resolves to the
 * parsed JSON of a 200 answer; rejects on anything else. Server name resolution, TLS and the
 * network policy are the caller's (federation/transport/).
 */
export type FetchJson = (serverName: string, path: string, body?: JsonObject) => Promise<unknown>;

export interface KeyLookup {
  /**
   * When the key must be valid: the time a request arrived, an event's origin_server_ts.
   * Undefined for room versions 1 to 4, where valid_until_ts is ignored.
   */
  readonly validAt: number | undefined;
  /** Keys the server moved to old_verify_keys count for times before their expired_ts: events only. */
  readonly allowOldKeys?: boolean;
}

export interface ServerKeyStore {
  /** The unpadded base64 public key `serverName` signs with under `keyId`, if usable for `lookup`. */
  getVerifyKey(serverName: string, keyId: string, lookup: KeyLookup): Promise<string | undefined>;
  /**
   * For the notary endpoints: the server's latest key response(s), self-signed only, fetched
   * again when older than `minimumValidUntilTs`; cached ones when it cannot be reached; none
   * when nothing is known.
   */
  getKeyResponses(serverName: string, minimumValidUntilTs: number): Promise<JsonObject[]>;
}

export interface ServerKeyStoreOptions {
  readonly db: Kysely<Database>;
  /** Our own name and key: our keys are never fetched. */
  readonly serverName: string;
  readonly signingKey: ServerSigningKey;
  readonly fetchJson: FetchJson;
  /** CAIRN_FEDERATION_TRUSTED_KEY_SERVERS: notaries asked when a server does not answer. */
  readonly trustedKeyServers: readonly string[];
  readonly now: () => number;
  readonly logger?: Pick<Logger, 'debug'>;
  /** After a fetch, how long until the same server is asked again (a flood of unknown key ids). */
  readonly refetchIntervalMs?: number;
  /** Servers kept in memory; the least recently used go first. */
  readonly cacheSize?: number;
}

const KEY_SERVER_PATH = '/_matrix/key/v2/server';
const NOTARY_PATH = '/_matrix/key/v2/query';

interface CachedServer {
  readonly keys: readonly StoredServerKey[];
  /** When we last asked the network (not the table); 0 if never in this process. */
  readonly fetchedAt: number;
}

export function createServerKeyStore(options: ServerKeyStoreOptions): ServerKeyStore {
  const refetchIntervalMs = options.refetchIntervalMs ?? 10_000;
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, CachedServer>();
  const inFlight = new Map<string, Promise<void>>();
  const own = new Map([[options.signingKey.keyId, options.signingKey.publicKeyBase64]]);

  const remember = (serverName: string, entry: CachedServer) => {
    cache.delete(serverName);
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(serverName, entry);
  };

  const cached = async (serverName: string): Promise<CachedServer> => {
    const hit = cache.get(serverName);
    if (hit) {
      remember(serverName, hit);
      return hit;
    }
    const entry = { keys: await listServerKeys(options.db, serverName), fetchedAt: 0 };
    remember(serverName, entry);
    return entry;
  };

  // One fetch per server at a time; later callers wait for it and read what it stored.
  const refresh = (serverName: string, keyIds: readonly string[], minimumValidUntilTs: number) => {
    let running = inFlight.get(serverName);
    if (!running) {
      running = fetchAndStore(serverName, keyIds, minimumValidUntilTs).finally(() =>
        inFlight.delete(serverName),
      );
      inFlight.set(serverName, running);
    }
    return running;
  };

  const fetchAndStore = async (
    serverName: string,
    keyIds: readonly string[],
    minimumValidUntilTs: number,
  ): Promise<void> => {
    const fetchedAt = options.now();
    const fetched =
      (await fetchDirect(serverName, fetchedAt)) ??
      (await fetchFromNotaries(serverName, keyIds, minimumValidUntilTs, fetchedAt));
    if (fetched) {
      await saveServerKeys(options.db, toStoredKeys(fetched.response, fetched.from, fetchedAt));
    }
    remember(serverName, { keys: await listServerKeys(options.db, serverName), fetchedAt });
  };

  type Fetched = { response: CheckedKeyResponse; from: string };

  const fetchDirect = async (serverName: string, now: number): Promise<Fetched | undefined> => {
    try {
      const response = checkKeyResponse(
        await options.fetchJson(serverName, KEY_SERVER_PATH),
        serverName,
        now,
      );
      return { response, from: serverName };
    } catch (error) {
      options.logger?.debug({ serverName, err: error }, 'server keys: direct fetch failed');
      return undefined;
    }
  };

  const fetchFromNotaries = async (
    serverName: string,
    keyIds: readonly string[],
    minimumValidUntilTs: number,
    now: number,
  ): Promise<Fetched | undefined> => {
    const criteria = Object.fromEntries(
      keyIds.map((keyId) => [keyId, { minimum_valid_until_ts: minimumValidUntilTs }]),
    );
    for (const notary of options.trustedKeyServers) {
      if (notary === serverName || notary === options.serverName) continue;
      try {
        const answer = await options.fetchJson(notary, NOTARY_PATH, {
          server_keys: { [serverName]: criteria },
        });
        const entries = isJsonObject(answer) ? answer.server_keys : undefined;
        if (!Array.isArray(entries)) throw new Error('server_keys is not an array');
        const notaryKeys = await notarySigningKeys(notary);
        // A notary may answer with several responses (from different times): the one valid
        // longest wins, so one response's keys are stored together.
        let best: Fetched | undefined;
        for (const entry of entries) {
          // Entries about other servers are not what we asked for; skip them.
          if (!isJsonObject(entry) || entry.server_name !== serverName) continue;
          const response = checkKeyResponse(entry, serverName, now);
          if (!signedByAny(entry, notary, notaryKeys)) {
            throw new Error(`an entry is not signed by the notary ${notary}`);
          }
          if (!best || response.validUntilTs > best.response.validUntilTs) {
            best = { response, from: notary };
          }
        }
        if (best) return best;
      } catch (error) {
        options.logger?.debug({ serverName, notary, err: error }, 'server keys: notary failed');
      }
    }
    return undefined;
  };

  // The notary's own current keys, fetched from the notary directly: going through notaries to
  // check a notary would be circular.
  const notarySigningKeys = async (notary: string): Promise<Map<string, string>> => {
    const usable = (keys: readonly StoredServerKey[]) =>
      new Map(
        keys
          .filter((key) => key.expiredTs === null && key.validUntilTs >= options.now())
          .map((key) => [key.keyId, key.publicKey]),
      );
    const known = usable((await cached(notary)).keys);
    if (known.size > 0) return known;
    const fetchedAt = options.now();
    const direct = await fetchDirect(notary, fetchedAt);
    if (direct) {
      await saveServerKeys(options.db, toStoredKeys(direct.response, notary, fetchedAt));
    }
    const keys = await listServerKeys(options.db, notary);
    remember(notary, { keys, fetchedAt });
    return usable(keys);
  };

  const mayFetch = (entry: CachedServer) =>
    entry.fetchedAt === 0 || options.now() - entry.fetchedAt >= refetchIntervalMs;

  return {
    async getVerifyKey(serverName, keyId, lookup) {
      if (serverName === options.serverName) return own.get(keyId);
      if (!isValidServerName(serverName)) return undefined;
      let entry = await cached(serverName);
      const found = usableKey(entry.keys, keyId, lookup);
      if (found !== undefined || !worthFetching(entry.keys, keyId, lookup)) return found;
      if (!mayFetch(entry) && !inFlight.has(serverName)) return undefined;
      await refresh(serverName, [keyId], lookup.validAt ?? options.now());
      entry = await cached(serverName);
      return usableKey(entry.keys, keyId, lookup);
    },

    async getKeyResponses(serverName, minimumValidUntilTs) {
      if (!isValidServerName(serverName) || serverName === options.serverName) return [];
      let entry = await cached(serverName);
      const fresh = latestResponses(entry.keys).some(
        (response) => (response.valid_until_ts as number) >= minimumValidUntilTs,
      );
      if (!fresh && (mayFetch(entry) || inFlight.has(serverName))) {
        await refresh(serverName, [], minimumValidUntilTs);
        entry = await cached(serverName);
      }
      return latestResponses(entry.keys);
    },
  };
}

/** The public key under `keyId` if it may be used for the lookup. */
export function usableKey(
  keys: readonly StoredServerKey[],
  keyId: string,
  lookup: KeyLookup,
): string | undefined {
  const key = keys.find((each) => each.keyId === keyId);
  if (!key) return undefined;
  if (key.expiredTs !== null) {
    if (!lookup.allowOldKeys) return undefined;
    return lookup.validAt === undefined || lookup.validAt < key.expiredTs
      ? key.publicKey
      : undefined;
  }
  return lookup.validAt === undefined || lookup.validAt <= key.validUntilTs
    ? key.publicKey
    : undefined;
}

// A new fetch can help when the key is unknown or its validity ran out; not when the server
// itself said the key expired before the time asked about.
function worthFetching(keys: readonly StoredServerKey[], keyId: string, lookup: KeyLookup) {
  const key = keys.find((each) => each.keyId === keyId);
  return !key || (key.expiredTs === null && lookup.validAt !== undefined);
}

// The response of the most recent fetch; keys a server stopped listing keep older ones.
function latestResponses(keys: readonly StoredServerKey[]): JsonObject[] {
  const newest = Math.max(...keys.map((key) => key.fetchedTs));
  const texts = new Set(keys.filter((key) => key.fetchedTs === newest).map((k) => k.responseJson));
  return [...texts].map((text) => JSON.parse(text) as JsonObject);
}

function toStoredKeys(
  checked: CheckedKeyResponse,
  fromServer: string,
  fetchedTs: number,
): StoredServerKey[] {
  const base = {
    serverName: checked.serverName,
    fetchedTs,
    fromServer,
    responseJson: JSON.stringify(checked.response),
  };
  return [
    ...checked.verifyKeys.map((key) => ({
      ...base,
      ...key,
      validUntilTs: checked.usableUntilTs,
      expiredTs: null,
    })),
    ...checked.oldVerifyKeys.map((key) => ({ ...base, ...key, validUntilTs: key.expiredTs })),
  ];
}

/** A store for the process: our name and key, the configured notaries, the context's clock. */
export function serverKeyStoreFor(
  ctx: Pick<Context, 'db' | 'config' | 'signingKey' | 'now' | 'logger'>,
  fetchJson: FetchJson,
): ServerKeyStore {
  return createServerKeyStore({
    db: ctx.db,
    serverName: ctx.config.serverName,
    signingKey: ctx.signingKey,
    fetchJson,
    trustedKeyServers: ctx.config.federationTrustedKeyServers,
    now: ctx.now,
    logger: ctx.logger,
  });
}

/**
 * FetchJson over a federation client (federation/transport/federation-client.ts): a GET, or a
 * POST of the body; the client turns anything but a 2xx JSON reply into an error.
 */
export function fetchJsonVia(client: {
  request(
    destination: string,
    request: { method: 'GET' | 'POST'; path: string; body?: unknown },
  ): Promise<{ body: unknown }>;
}): FetchJson {
  return async (serverName, path, body) =>
    (
      await client.request(
        serverName,
        body === undefined ? { method: 'GET', path } : { method: 'POST', path, body },
      )
    ).body;
}

/** Until a federation client is given: every fetch fails, so only stored keys are known. */
export const noFederationClient: FetchJson = (serverName) =>
  Promise.reject(new Error(`no federation client to reach ${serverName}`));
