// Every configuration key, declared once: its YAML name, JSON schema, default and description.
// The environment variable, the validation schema and `cairn generate-config` all derive from this.

import { RATE_LIMIT_KEYS } from './rate-limit-keys.ts';

export interface ConfigKey {
  readonly key: string;
  readonly schema: Record<string, unknown>;
  /** undefined: no default; the key is optional. */
  readonly default?: string | number | boolean;
  readonly description: string;
  /** Documented but left out of the generated file unless set, e.g. secrets. */
  readonly secret?: boolean;
}

const port = { type: 'integer', minimum: 0, maximum: 65535 };

export const CONFIG_KEYS = [
  {
    key: 'server_name',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' },
    default: 'localhost',
    description:
      'The domain in user ids (@alice:<server_name>) and room aliases. Cannot change later.',
  },
  {
    key: 'data_dir',
    schema: { type: 'string', minLength: 1 },
    default: './data',
    description: 'Directory for the signing key, the embedded database and local media.',
  },
  {
    key: 'database_url',
    schema: { type: 'string', pattern: '^postgres(ql)?://' },
    description:
      'PostgreSQL connection URL (postgres://user:pass@host:5432/db). Unset: embedded PGlite in <data_dir>/pglite.',
    secret: true,
  },
  {
    key: 'bind_address',
    schema: { type: 'string', minLength: 1 },
    default: '127.0.0.1',
    description: 'Address both listeners bind to. Use 0.0.0.0 or :: to listen on every interface.',
  },
  {
    key: 'trusted_proxies',
    // Checked further in load-config.ts (a valid address, a prefix length in range).
    schema: { type: 'array', items: { type: 'string', pattern: '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$' } },
    description:
      'Reverse proxies (IP addresses or CIDR ranges) whose X-Forwarded-For header is believed: a request from one of them counts as coming from the client address the header names, for per-IP rate limits and device last-seen addresses. A YAML list, comma-separated in the variable. Unset: none, the peer address is the client.',
  },
  {
    key: 'client_port',
    schema: port,
    default: 8008,
    description: 'Port of the client-server API (put a TLS reverse proxy in front of it).',
  },
  {
    key: 'federation_port',
    schema: port,
    default: 8448,
    description: 'Port of the server-server (federation) API and the key server.',
  },
  {
    key: 'public_baseurl',
    schema: { type: 'string', pattern: '^https?://' },
    description:
      'URL clients reach this server at, served in /.well-known/matrix/client. Default: http://<server_name>:<client_port>/',
  },
  {
    key: 'federation_public_address',
    schema: { type: 'string', minLength: 1 },
    description:
      'host:port other servers reach the federation API at, served in /.well-known/matrix/server. Default: <server_name>:<federation_port>',
  },
  {
    key: 'federation_tls',
    schema: { type: 'boolean' },
    default: true,
    description:
      'Serve the federation listener over TLS. false: plain HTTP, only behind a TLS-terminating proxy or in tests.',
  },
  {
    key: 'federation_tls_cert_path',
    schema: { type: 'string', minLength: 1 },
    description:
      'PEM certificate (with its chain) of the federation listener, valid for the server name (or the delegated name). Set with federation_tls_key_path. Unset: a self-signed one is generated into <data_dir>/federation-tls/ (other servers do not trust it: development only).',
  },
  {
    key: 'federation_tls_key_path',
    schema: { type: 'string', minLength: 1 },
    description: 'PEM private key of federation_tls_cert_path.',
  },
  {
    key: 'federation_ca_file',
    schema: { type: 'string', minLength: 1 },
    description:
      'PEM file of CA certificates trusted for outbound federation, in addition to the system store.',
  },
  {
    key: 'federation_verify_tls',
    schema: { type: 'boolean' },
    default: true,
    description:
      "Verify other servers' TLS certificates. false is for development only (logged as a warning).",
  },
  {
    key: 'federation_allow_private_networks',
    schema: { type: 'boolean' },
    default: false,
    description:
      'Allow outbound federation to loopback, private, link-local, CGNAT and other non-public addresses. Off, a server name chosen by anyone cannot reach internal services; on for servers on one machine in tests.',
  },
  {
    key: 'federation_device_names',
    schema: { type: 'boolean' },
    default: false,
    description:
      'Share device display names with other servers (in user/devices, user/keys/query and device list updates). Off by default: names like "Alice\'s work laptop" can say more than their owners mean to publish; only users on this server see them.',
  },
  {
    key: 'enable_registration',
    schema: { type: 'boolean' },
    default: false,
    description: 'Allow anyone to register an account through the client API.',
  },
  {
    key: 'registration_requires_token',
    schema: { type: 'boolean' },
    default: false,
    description:
      'With enable_registration: registering needs a registration token (m.login.registration_token) from the registration_tokens table (stored as SHA-256 digests; see the README).',
  },
  {
    key: 'access_token_lifetime_ms',
    schema: { type: 'integer', minimum: 60000 },
    default: 300000,
    description:
      'Lifetime of access tokens issued to clients that support refresh tokens (refresh_token: true); other access tokens do not expire.',
  },
  {
    key: 'registration_shared_secret',
    // No minimum length beyond "not blank", as in Synapse: deployments and test suites
    // (Complement uses `complement`) share short secrets; an empty one would be a known MAC key.
    schema: { type: 'string', pattern: '\\S' },
    description:
      'Secret for Synapse-compatible shared-secret registration (POST /_synapse/admin/v1/register); any non-blank string, as in Synapse (choose a long random one). Unset: a random one is generated into <data_dir>/registration_shared_secret, for local tools only.',
    secret: true,
  },
  {
    key: 'app_service_config_files',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    description:
      'Application service registration files (YAML: id, url, as_token, hs_token, sender_localpart, namespaces, rate_limited), read at start; a bad file stops the start. Their as_token authenticates as the sender or, with ?user_id=, as a user of their users namespace. A YAML list, comma-separated in the variable. Unset: none.',
  },
  {
    key: 'signing_key_path',
    schema: { type: 'string', minLength: 1 },
    description:
      "The server's ed25519 signing key (Synapse's format). Default: <data_dir>/signing.key, generated on first start.",
  },
  {
    key: 'log_level',
    schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    description: 'Log level (pino). Logs are JSON lines on standard output.',
  },
  {
    key: 'metrics_path',
    schema: { type: 'string', pattern: '^/' },
    default: '/_cairn/metrics',
    description: 'Path of the Prometheus metrics on the client listener.',
  },
  {
    key: 'enable_metrics',
    schema: { type: 'boolean' },
    default: true,
    description: 'Serve Prometheus metrics at metrics_path.',
  },
  {
    key: 'max_request_body_bytes',
    schema: { type: 'integer', minimum: 1024 },
    default: 1048576,
    description: 'Largest JSON request body accepted; larger gets 413 M_TOO_LARGE.',
  },
  {
    key: 'header_timeout_seconds',
    schema: { type: 'integer', minimum: 1 },
    default: 20,
    description:
      'Time a client has to send the request line and headers of a request (both listeners); a connection still sending them after this is closed with 408. Bounds slowloris clients.',
  },
  {
    key: 'request_body_timeout_seconds',
    schema: { type: 'integer', minimum: 1 },
    default: 30,
    description:
      'A request body that delivers fewer than request_body_min_bytes_per_second times this many bytes within any such period is dropped. A progress check, not a total: a large upload on a slow but moving link is not cut, a body trickled a byte at a time is.',
  },
  {
    key: 'request_body_min_bytes_per_second',
    schema: { type: 'integer', minimum: 1 },
    default: 1024,
    description: 'Slowest request body accepted, averaged over request_body_timeout_seconds.',
  },
  {
    key: 'federation_transaction_timeout_seconds',
    schema: { type: 'integer', minimum: 1 },
    default: 120,
    description:
      'How long an outbound federation transaction (PUT /send) waits for its answer before it counts as failed and the destination backs off. One transaction per destination is in flight at a time.',
  },
  {
    key: 'server_key_validity_hours',
    schema: { type: 'integer', minimum: 1 },
    default: 168,
    description: 'How long other servers may cache our signing key (valid_until_ts).',
  },
  {
    key: 'federation_trusted_key_servers',
    schema: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' },
    },
    description:
      "Notary servers (server names) asked for a server's signing keys when that server does not answer itself (POST /_matrix/key/v2/query); their signatures are checked as well as the server's own. A list in YAML, comma-separated in the environment variable. Unset: none, keys are only fetched from their own server.",
  },
  {
    key: 'federation_server_addresses',
    schema: {
      type: 'array',
      items: {
        type: 'string',
        pattern: '^[A-Za-z0-9.:\\[\\]-]+=[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}$',
      },
    },
    description:
      'Fixed addresses for server names, as `name=host:port` entries, used instead of well-known and SRV discovery (the connection still uses TLS and the Host header is the server name). For servers on one machine (tests, Complement); unset: none.',
  },
  {
    key: 'anchor_interval_seconds',
    schema: { type: 'integer', minimum: 1 },
    default: 600,
    description:
      'How often rooms that changed are snapshotted (their DAG heads, to IPFS or the local block store) into an epoch, and epochs anchored on chain when chain_rpc_url, chain_private_key and anchor_contract are set. An admin can also ask for an epoch at once (POST /_cairn/v1/anchors/epochs).',
  },
  {
    key: 'anchor_confirmations',
    schema: { type: 'integer', minimum: 1 },
    default: 1,
    description: 'Blocks an anchoring transaction waits for before its epoch counts as anchored.',
  },
  {
    key: 'chain_rpc_url',
    schema: { type: 'string', pattern: '^https?://' },
    description:
      'JSON-RPC URL of the EVM chain room history is anchored on. Unset: epochs are built but not anchored.',
  },
  {
    key: 'chain_private_key',
    schema: { type: 'string', pattern: '^(0x)?[0-9a-fA-F]{64}$' },
    description:
      'Private key (hex) of the account that sends the anchoring transactions; `cairn deploy-anchor-contract` deploys from it too. It pays the gas: keep it funded.',
    secret: true,
  },
  {
    key: 'anchor_contract',
    schema: { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' },
    description:
      'Address of the CairnAnchor contract, as `cairn deploy-anchor-contract` prints it (quote it in YAML, or it reads as a number).',
  },
  {
    key: 'archive_public_rooms',
    schema: { type: 'boolean' },
    default: true,
    description:
      'Archive the events of rooms published in the room directory: with each epoch, their new events go to IPFS (or the local block store) as IPLD blocks linked by prev_events, so their history survives this server. Private rooms are archived only when listed in archive_room_ids or when their admins opt in with an org.cairn.archive state event ({"enabled": true}).',
  },
  {
    key: 'archive_room_ids',
    schema: { type: 'array', items: { type: 'string', pattern: '^!' } },
    description:
      'Rooms to archive whatever their visibility (a YAML list, comma-separated in the variable).',
  },
  {
    key: 'ipfs_api',
    schema: { type: 'string', pattern: '^https?://' },
    description:
      "URL of a Kubo (IPFS) node's RPC API (http://127.0.0.1:5001) that stores and pins media. Unset: media is kept in <data_dir>/media, addressed by the same CIDs.",
  },
  {
    key: 'max_upload_size',
    schema: { type: 'integer', minimum: 1 },
    default: 104857600,
    description:
      'Largest media upload in bytes (also the largest remote media fetched over federation); larger gets 413 M_TOO_LARGE.',
  },
  {
    key: 'media_max_pending_uploads',
    schema: { type: 'integer', minimum: 1 },
    default: 10,
    description:
      'Asynchronous upload URIs (POST /_matrix/media/v1/create) a user may hold without bytes at once; more gets 429 M_LIMIT_EXCEEDED.',
  },
  {
    key: 'media_unused_expiry_ms',
    schema: { type: 'integer', minimum: 1000 },
    default: 86400000,
    description: 'How long an asynchronous upload URI waits for its bytes before it expires.',
  },
  {
    key: 'media_legacy_download',
    schema: { type: 'boolean' },
    default: true,
    description:
      'Serve media on the unauthenticated /_matrix/media/v3/download and thumbnail endpoints, for clients older than Matrix 1.11. false: only the authenticated /_matrix/client/v1/media endpoints serve it.',
  },
  {
    key: 'media_retention_local_days',
    schema: { type: 'number', exclusiveMinimum: 0 },
    description:
      'Delete local media not downloaded for this many days. Unset: local media is kept forever.',
  },
  {
    key: 'media_retention_remote_days',
    schema: { type: 'number', exclusiveMinimum: 0 },
    description:
      "Drop cached copies of other servers' media not downloaded for this many days (fetched again when asked for). Unset: kept forever.",
  },
  {
    key: 'siwe_enabled',
    schema: { type: 'boolean' },
    default: false,
    description:
      'Sign-In with Ethereum (EIP-4361): the org.cairn.login.siwe login type and user-interactive auth stage, nonces from POST /_cairn/v1/siwe/nonce, and linking wallets to accounts (GET, POST and DELETE /_cairn/v1/account/wallets; the first address a user linked shows in their profile as org.cairn.ethereum_address). A message must name server_name as its domain, a URI on the origin of public_baseurl, siwe_chain_id and a fresh nonce; signatures are checked per EIP-191, and per EIP-1271 for contract wallets when chain_rpc_url (a node of chain siwe_chain_id) is set.',
  },
  {
    key: 'siwe_chain_id',
    schema: { type: 'integer', minimum: 1 },
    default: 1,
    description:
      'The EIP-155 chain id Sign-In with Ethereum messages must name (1: Ethereum mainnet). EIP-1271 contract wallets are checked on chain_rpc_url only when that node serves this chain.',
  },
  {
    key: 'siwe_nonce_lifetime_ms',
    schema: { type: 'integer', minimum: 10000 },
    default: 300000,
    description: 'How long a Sign-In with Ethereum nonce may be used (once) after it is issued.',
  },
  {
    key: 'siwe_register',
    schema: { type: 'boolean' },
    description:
      'The first Sign-In with Ethereum of an address no account is linked to creates an account (named by siwe_localpart_template). Unset: only when enable_registration is on and registration_requires_token is off, so wallets cannot get round a closed or token-only registration.',
  },
  {
    key: 'siwe_localpart_template',
    // {address} once, the rest in the localpart grammar, so every address gets its own valid name.
    schema: {
      type: 'string',
      pattern: '^[a-z0-9._=/+-]*\\{address\\}[a-z0-9._=/+-]*$',
      maxLength: 128,
    },
    default: 'eth_{address}',
    description:
      'Localpart of accounts created by Sign-In with Ethereum: {address} is the address in lower-case hex without 0x (Matrix localparts are lower-case, so not in its EIP-55 checksummed form).',
  },
  ...RATE_LIMIT_KEYS,
] as const satisfies readonly ConfigKey[];

export function envNameOf(key: string): string {
  return `CAIRN_${key.toUpperCase()}`;
}
