// One typed config: defaults, then the YAML file (--config or CAIRN_CONFIG), then CAIRN_* variables.
// Validated with ajv at start; an error names the bad key and where its value came from.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { RateLimit } from '../http/rate-limiter.ts';
import { CONFIG_KEYS, envNameOf } from './config-keys.ts';

/** The rate limits of server/http/rate-limits.ts, from the `rate_limit_*` keys. */
export interface RateLimitConfig {
  readonly messages: RateLimit;
  readonly joins: RateLimit;
  readonly invites: RateLimit;
  readonly login: RateLimit;
  readonly failedLogin: RateLimit;
  readonly registration: RateLimit;
  readonly mediaUploads: RateLimit;
  readonly siweNonce: RateLimit;
  readonly messagesPerIp: RateLimit;
  readonly mediaUploadsPerIp: RateLimit;
}

export interface Config {
  serverName: string;
  dataDir: string;
  databaseUrl: string | undefined;
  bindAddress: string;
  /** Addresses and CIDR ranges whose X-Forwarded-For is believed (fastify trustProxy); empty: none. */
  trustedProxies: readonly string[];
  clientPort: number;
  federationPort: number;
  publicBaseurl: string;
  federationPublicAddress: string;
  federationTls: boolean;
  /** Both set or both undefined (checked at load). */
  federationTlsCertPath: string | undefined;
  federationTlsKeyPath: string | undefined;
  federationCaFile: string | undefined;
  federationVerifyTls: boolean;
  federationAllowPrivateNetworks: boolean;
  /** Device display names go to other servers too. */
  federationDeviceNames: boolean;
  enableRegistration: boolean;
  registrationRequiresToken: boolean;
  accessTokenLifetimeMs: number;
  registrationSharedSecret: string | undefined;
  /** Application service registration files, resolved; loaded at start (server/appservices/). */
  appServiceConfigFiles: readonly string[];
  signingKeyPath: string;
  logLevel: string;
  metricsPath: string;
  enableMetrics: boolean;
  maxRequestBodyBytes: number;
  headerTimeoutMs: number;
  /** A request body must deliver minBytesPerSecond x timeoutMs/1000 bytes in every such period. */
  requestBody: { readonly timeoutMs: number; readonly minBytesPerSecond: number };
  federationTransactionTimeoutMs: number;
  serverKeyValidityHours: number;
  /** Notaries for server keys (federation/keys/remote-keys.ts); empty: none. */
  federationTrustedKeyServers: readonly string[];
  /** federation_server_addresses: server name -> `host:port`, bypassing discovery. */
  federationServerAddresses: ReadonlyMap<string, string>;
  rateLimits: RateLimitConfig;
  anchorIntervalSeconds: number;
  archivePublicRooms: boolean;
  archiveRoomIds: readonly string[];
  anchorConfirmations: number;
  /** The anchoring chain; anchoring needs all three. */
  chainRpcUrl: string | undefined;
  chainPrivateKey: string | undefined;
  anchorContract: string | undefined;
  /** Kubo RPC API URL; undefined: the local content-addressed store in <dataDir>/media. */
  ipfsApi: string | undefined;
  maxUploadBytes: number;
  mediaMaxPendingUploads: number;
  mediaUnusedExpiryMs: number;
  mediaLegacyDownload: boolean;
  /** Days without a download before media is deleted; undefined: kept forever. */
  mediaRetentionLocalDays: number | undefined;
  mediaRetentionRemoteDays: number | undefined;
  /** Sign-In with Ethereum (server/accounts/siwe/). */
  siweEnabled: boolean;
  siweChainId: number;
  siweNonceLifetimeMs: number;
  /** Resolved: siwe_register, else enable_registration without registration_requires_token. */
  siweRegister: boolean;
  siweLocalpartTemplate: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type RawConfig = Record<string, unknown>;

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(CONFIG_KEYS.map((k) => [k.key, k.schema])),
};
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

export interface ConfigSources {
  configPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig({ configPath, env = process.env }: ConfigSources = {}): Config {
  const origin = new Map<string, string>();
  const raw: RawConfig = {};
  for (const k of CONFIG_KEYS) {
    if ('default' in k) raw[k.key] = k.default;
  }

  const path = configPath ?? env.CAIRN_CONFIG;
  if (path) {
    for (const [key, value] of Object.entries(readYamlFile(path))) {
      raw[key] = value;
      origin.set(key, `in ${path}`);
    }
  }

  for (const k of CONFIG_KEYS) {
    const value = env[envNameOf(k.key)];
    if (value === undefined || value === '') continue;
    raw[k.key] = fromEnvString(value, k.schema);
    origin.set(k.key, `from ${envNameOf(k.key)}`);
  }

  if (!validate(raw)) {
    const messages = (validate.errors ?? []).map((e) => {
      const key =
        e.keyword === 'additionalProperties'
          ? String(e.params.additionalProperty)
          : e.instancePath.slice(1);
      const where = origin.get(key) ?? '';
      return e.keyword === 'additionalProperties'
        ? `unknown configuration key "${key}" ${where}`.trim()
        : `configuration key "${key}" ${where}: ${e.message}`.replace('  ', ' ');
    });
    throw new ConfigError(`Invalid configuration:\n  ${messages.join('\n  ')}`);
  }
  if (
    (raw.federation_tls_cert_path === undefined) !==
    (raw.federation_tls_key_path === undefined)
  ) {
    throw new ConfigError(
      'Invalid configuration:\n  federation_tls_cert_path and federation_tls_key_path must be set together',
    );
  }
  const badProxy = ((raw.trusted_proxies as string[] | undefined) ?? []).find(
    (entry) => !isAddressOrCidr(entry),
  );
  if (badProxy !== undefined) {
    throw new ConfigError(
      `Invalid configuration:\n  trusted_proxies ${origin.get('trusted_proxies') ?? ''}: "${badProxy}" is not an IP address or CIDR range`,
    );
  }
  return toConfig(raw);
}

function readYamlFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`Config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${path} must be a YAML mapping of keys to values`);
  }
  return parsed as RawConfig;
}

/** Environment variables are strings; give the schema the type it expects where the text is one. */
function fromEnvString(value: string, keySchema: Record<string, unknown>): unknown {
  if (keySchema.type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (keySchema.type === 'number' && /^-?(\d+\.?\d*|\.\d+)$/.test(value)) return Number(value);
  // Lists are comma-separated: `CAIRN_FEDERATION_TRUSTED_KEY_SERVERS=a.org,b.org`.
  if (keySchema.type === 'array') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (keySchema.type === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
  }
  return value;
}

function toConfig(raw: RawConfig): Config {
  const str = (key: string) => raw[key] as string;
  const optional = (key: string) => raw[key] as string | undefined;
  const serverName = str('server_name');
  const dataDir = resolve(str('data_dir'));
  const clientPort = raw.client_port as number;
  const federationPort = raw.federation_port as number;
  return {
    serverName,
    dataDir,
    databaseUrl: optional('database_url'),
    bindAddress: str('bind_address'),
    trustedProxies: (raw.trusted_proxies as string[] | undefined) ?? [],
    clientPort,
    federationPort,
    publicBaseurl: withTrailingSlash(
      optional('public_baseurl') ?? `http://${serverName}:${clientPort}/`,
    ),
    federationPublicAddress:
      optional('federation_public_address') ?? `${serverName}:${federationPort}`,
    federationTls: raw.federation_tls as boolean,
    federationTlsCertPath: resolvedPath(optional('federation_tls_cert_path')),
    federationTlsKeyPath: resolvedPath(optional('federation_tls_key_path')),
    federationCaFile: resolvedPath(optional('federation_ca_file')),
    federationVerifyTls: raw.federation_verify_tls as boolean,
    federationAllowPrivateNetworks: raw.federation_allow_private_networks as boolean,
    federationDeviceNames: raw.federation_device_names as boolean,
    enableRegistration: raw.enable_registration as boolean,
    registrationRequiresToken: raw.registration_requires_token as boolean,
    accessTokenLifetimeMs: raw.access_token_lifetime_ms as number,
    registrationSharedSecret: optional('registration_shared_secret'),
    appServiceConfigFiles: ((raw.app_service_config_files as string[] | undefined) ?? []).map(
      (path) => resolve(path),
    ),
    signingKeyPath: resolve(optional('signing_key_path') ?? `${dataDir}/signing.key`),
    logLevel: str('log_level'),
    metricsPath: str('metrics_path'),
    enableMetrics: raw.enable_metrics as boolean,
    maxRequestBodyBytes: raw.max_request_body_bytes as number,
    headerTimeoutMs: (raw.header_timeout_seconds as number) * 1000,
    requestBody: {
      timeoutMs: (raw.request_body_timeout_seconds as number) * 1000,
      minBytesPerSecond: raw.request_body_min_bytes_per_second as number,
    },
    federationTransactionTimeoutMs: (raw.federation_transaction_timeout_seconds as number) * 1000,
    serverKeyValidityHours: raw.server_key_validity_hours as number,
    federationTrustedKeyServers: (raw.federation_trusted_key_servers as string[] | undefined) ?? [],
    federationServerAddresses: new Map(
      ((raw.federation_server_addresses as string[] | undefined) ?? []).map((entry) => {
        const equals = entry.indexOf('=');
        return [entry.slice(0, equals), entry.slice(equals + 1)] as const;
      }),
    ),
    rateLimits: {
      messages: rateLimitOf(raw, 'messages'),
      joins: rateLimitOf(raw, 'joins'),
      invites: rateLimitOf(raw, 'invites'),
      login: rateLimitOf(raw, 'login'),
      failedLogin: rateLimitOf(raw, 'failed_login'),
      registration: rateLimitOf(raw, 'registration'),
      mediaUploads: rateLimitOf(raw, 'media_uploads'),
      siweNonce: rateLimitOf(raw, 'siwe_nonce'),
      messagesPerIp: rateLimitOf(raw, 'messages_per_ip'),
      mediaUploadsPerIp: rateLimitOf(raw, 'media_uploads_per_ip'),
    },
    anchorIntervalSeconds: raw.anchor_interval_seconds as number,
    archivePublicRooms: raw.archive_public_rooms as boolean,
    archiveRoomIds: (raw.archive_room_ids as string[] | undefined) ?? [],
    anchorConfirmations: raw.anchor_confirmations as number,
    chainRpcUrl: optional('chain_rpc_url'),
    chainPrivateKey: optional('chain_private_key'),
    anchorContract: optional('anchor_contract'),
    ipfsApi: optional('ipfs_api'),
    maxUploadBytes: raw.max_upload_size as number,
    mediaMaxPendingUploads: raw.media_max_pending_uploads as number,
    mediaUnusedExpiryMs: raw.media_unused_expiry_ms as number,
    mediaLegacyDownload: raw.media_legacy_download as boolean,
    mediaRetentionLocalDays: raw.media_retention_local_days as number | undefined,
    mediaRetentionRemoteDays: raw.media_retention_remote_days as number | undefined,
    siweEnabled: raw.siwe_enabled as boolean,
    siweChainId: raw.siwe_chain_id as number,
    siweNonceLifetimeMs: raw.siwe_nonce_lifetime_ms as number,
    siweRegister:
      (raw.siwe_register as boolean | undefined) ??
      ((raw.enable_registration as boolean) && !(raw.registration_requires_token as boolean)),
    siweLocalpartTemplate: str('siwe_localpart_template'),
  };
}

function rateLimitOf(raw: RawConfig, name: string): RateLimit {
  return {
    perSecond: raw[`rate_limit_${name}_per_second`] as number,
    burst: raw[`rate_limit_${name}_burst`] as number,
  };
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || Number(prefix) <= (version === 4 ? 32 : 128);
}

function resolvedPath(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
