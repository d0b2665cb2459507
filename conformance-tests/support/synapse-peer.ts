// A real Synapse on loopback as a federation peer: what Cairn must interoperate with is the
// reference implementation, not our idea of it. Synapse comes from the virtualenv that
// .ci/install-synapse.sh fills; when it is missing, tests skip with synapseAvailability()'s
// reason, unless CAIRN_TEST_REQUIRE_SYNAPSE=true (CI) turns that into a failure.
// Both servers use a server name with an explicit port (`localhost:<port>`): the spec then skips
// well-known and SRV discovery, so nothing leaves the machine. TLS is verified both ways against
// one throwaway test CA.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sharedSecretMac } from '../../server/accounts/shared-secret-mac.ts';
import type { ServerSigningKey } from '../../server/context.ts';
import { loadOrCreateSigningKey } from '../../server/keys/signing-key-file.ts';
import { createTestCa, type TestCa } from './test-tls.ts';

export type SynapseAvailability =
  | { readonly ok: true; readonly python: string }
  | { readonly ok: false; readonly reason: string };

export interface SynapseOptions {
  /** Signs Synapse's federation certificate and is the only CA Synapse trusts for outbound
   * federation. Default: a new one (synapse.ca, to issue the Cairn side's certificate). */
  readonly ca?: TestCa;
  /** false: Synapse accepts any certificate, e.g. the self-signed one Cairn generates when given
   * none. Default true. */
  readonly verifyPeerCertificates?: boolean;
  /** Merged over the generated homeserver.yaml (top-level keys replace). */
  readonly extraConfig?: Record<string, unknown>;
  readonly startTimeoutMs?: number;
}

export interface SynapseUser {
  readonly userId: string;
  readonly accessToken: string;
}

export interface SynapsePeer {
  readonly serverName: string;
  /** Plain HTTP: client API and the shared-secret admin API. */
  readonly clientUrl: string;
  /** HTTPS: federation API and key server. */
  readonly federationUrl: string;
  readonly federationPort: number;
  readonly ca: TestCa;
  readonly caPath: string;
  /** The signing key we wrote for Synapse, to check its signatures against. */
  readonly signingKey: ServerSigningKey;
  readonly logPath: string;
  /** From spawn to the first answer of /_matrix/client/versions. */
  readonly startupMs: number;
  readonly child: ChildProcess;
  registerUser(localpart: string, password: string, admin?: boolean): Promise<SynapseUser>;
  /** The last lines of Synapse's log, for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL if it has not exited after a few seconds; removes its files. */
  stop(): Promise<void>;
}

export function synapseVenv(): string {
  return process.env.CAIRN_SYNAPSE_VENV || join(homedir(), '.cache', 'cairn', 'synapse-venv');
}

/** Whether Synapse can run here; throws instead of answering "no" when the run requires it. */
export function synapseAvailability(): SynapseAvailability {
  const availability = probeVenv();
  if (!availability.ok && process.env.CAIRN_TEST_REQUIRE_SYNAPSE === 'true') {
    throw new Error(`CAIRN_TEST_REQUIRE_SYNAPSE=true but ${availability.reason}`);
  }
  return availability;
}

function probeVenv(): SynapseAvailability {
  const venv = synapseVenv();
  const python = join(venv, 'bin', 'python');
  const hint = 'run .ci/install-synapse.sh (or set CAIRN_SYNAPSE_VENV)';
  if (!existsSync(python))
    return { ok: false, reason: `no Synapse virtualenv at ${venv}: ${hint}` };
  // Reading the installed metadata is quick; importing Synapse itself takes a second.
  const probe = spawnSync(
    python,
    ['-c', 'import importlib.metadata as m; print(m.version("matrix-synapse"))'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (probe.status !== 0) {
    return { ok: false, reason: `matrix-synapse is not installed in ${venv}: ${hint}` };
  }
  return { ok: true, python };
}

/** A port free on 127.0.0.1 right now. Closed again before use, so another process could take it
 * in between; on a test machine that is rare enough. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function startSynapse(options: SynapseOptions = {}): Promise<SynapsePeer> {
  const availability = synapseAvailability();
  if (!availability.ok) throw new Error(availability.reason);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-synapse-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);

  const ca = options.ca ?? createTestCa();
  const certificate = ca.issue({ dns: ['localhost'], ip: ['127.0.0.1'] });
  const clientPort = await freePort();
  const federationPort = await freePort();
  const serverName = `localhost:${federationPort}`;
  // Written by us in Synapse's key file format, so the test knows the key it must see.
  const signingKey = loadOrCreateSigningKey(join(dir, 'signing.key'));
  const sharedSecret = randomBytes(24).toString('hex');
  const logPath = join(dir, 'homeserver.log');
  const configPath = join(dir, 'homeserver.yaml');
  writeFileSync(join(dir, 'log.yaml'), stringify(logConfig(logPath)));
  writeFileSync(
    configPath,
    stringify({
      ...homeserverConfig({
        dir,
        serverName,
        clientPort,
        federationPort,
        certPath: certificate.certPath,
        keyPath: certificate.keyPath,
        caPath: ca.certPath,
        verifyPeerCertificates: options.verifyPeerCertificates ?? true,
        sharedSecret,
      }),
      ...options.extraConfig,
    }),
  );

  const startedAt = performance.now();
  const child = spawn(availability.python, ['-m', 'synapse.app.homeserver', '-c', configPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that dies must not leave Synapse running (children outlive their parent).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const logTail = (lines = 40) => {
    const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '(no log file)';
    return `${log.split('\n').slice(-lines).join('\n')}\n--- stdout/stderr ---\n${output}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', killOnExit);
    removeDir();
  };

  const clientUrl = `http://127.0.0.1:${clientPort}`;
  try {
    await waitUntilServing(clientUrl, child, options.startTimeoutMs ?? 90_000);
  } catch (err) {
    const tail = logTail();
    await stop();
    throw new Error(`${(err as Error).message}\n--- Synapse log tail ---\n${tail}`);
  }
  return {
    serverName,
    clientUrl,
    federationUrl: `https://127.0.0.1:${federationPort}`,
    federationPort,
    ca,
    caPath: ca.certPath,
    signingKey,
    logPath,
    startupMs: Math.round(performance.now() - startedAt),
    child,
    registerUser: (localpart, password, admin = false) =>
      registerUser(clientUrl, sharedSecret, localpart, password, admin),
    logTail,
    stop,
  };
}

interface ConfigInputs {
  readonly dir: string;
  readonly serverName: string;
  readonly clientPort: number;
  readonly federationPort: number;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
  readonly verifyPeerCertificates: boolean;
  readonly sharedSecret: string;
}

// Option names as in Synapse 1.163's configuration manual. Only what differs from Synapse's
// defaults for a test peer on loopback, each for the reason given.
function homeserverConfig(inputs: ConfigInputs): Record<string, unknown> {
  const listener = (port: number, tls: boolean, names: string[]) => ({
    port,
    bind_addresses: ['127.0.0.1'],
    type: 'http',
    tls,
    x_forwarded: false,
    resources: [{ names, compress: false }],
  });
  return {
    server_name: inputs.serverName,
    pid_file: join(inputs.dir, 'homeserver.pid'),
    public_baseurl: `http://127.0.0.1:${inputs.clientPort}/`,
    // Client API (and /_synapse/admin) in plain HTTP; federation (and the key server, which the
    // `federation` resource includes) over TLS, as other servers reach it.
    listeners: [
      listener(inputs.clientPort, false, ['client']),
      listener(inputs.federationPort, true, ['federation']),
    ],
    tls_certificate_path: inputs.certPath,
    tls_private_key_path: inputs.keyPath,
    federation_verify_certificates: inputs.verifyPeerCertificates,
    ...(inputs.verifyPeerCertificates ? { federation_custom_ca_list: [inputs.caPath] } : {}),
    // Synapse's default blocklist covers loopback, where every peer of a test lives; allowing
    // loopback only (the allowlist overrides the blocklist) keeps the rest of the default.
    ip_range_whitelist: ['127.0.0.0/8', '::1/128'],
    // No matrix.org notary: keys come from the servers themselves, and nothing leaves the host.
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    database: { name: 'sqlite3', args: { database: join(inputs.dir, 'homeserver.db') } },
    media_store_path: join(inputs.dir, 'media'),
    signing_key_path: join(inputs.dir, 'signing.key'),
    log_config: join(inputs.dir, 'log.yaml'),
    registration_shared_secret: inputs.sharedSecret,
    macaroon_secret_key: randomBytes(24).toString('hex'),
    form_secret: randomBytes(24).toString('hex'),
    enable_registration: false,
    report_stats: false,
    enable_metrics: false,
    presence: { enabled: true },
    allow_public_rooms_over_federation: true,
    default_room_version: '10',
    ...NO_SYNAPSE_RATE_LIMITS,
  };
}

// Tests act far faster than people; Synapse's defaults (a join every 10 s, say) would throttle
// them. Every rate-limited action Synapse 1.163 reads, set out of reach.
const UNLIMITED = { per_second: 100_000, burst_count: 1_000_000 };
const NO_SYNAPSE_RATE_LIMITS = {
  rc_message: UNLIMITED,
  rc_registration: UNLIMITED,
  rc_registration_token_validity: UNLIMITED,
  rc_login: { address: UNLIMITED, account: UNLIMITED, failed_attempts: UNLIMITED },
  rc_joins: { local: UNLIMITED, remote: UNLIMITED },
  rc_joins_per_room: UNLIMITED,
  rc_invites: { per_room: UNLIMITED, per_user: UNLIMITED, per_issuer: UNLIMITED },
  rc_3pid_validation: UNLIMITED,
  rc_third_party_invite: UNLIMITED,
  rc_key_requests: UNLIMITED,
  rc_media_create: UNLIMITED,
  rc_presence: { per_user: UNLIMITED },
  rc_room_creation: UNLIMITED,
  rc_reports: UNLIMITED,
  rc_user_directory: UNLIMITED,
  rc_profile: UNLIMITED,
  rc_admin_redaction: UNLIMITED,
  rc_delayed_event_mgmt: UNLIMITED,
  // Inbound federation: requests per window before Synapse delays, then rejects them.
  rc_federation: {
    window_size: 1000,
    sleep_limit: 100_000,
    sleep_delay: 1,
    reject_limit: 1_000_000,
    concurrent: 1000,
  },
  federation_rr_transactions_per_room_per_second: 100_000,
};

// Python logging dictConfig: INFO to a plain (unbuffered) file, so a failure's log tail is whole.
function logConfig(logPath: string): Record<string, unknown> {
  return {
    version: 1,
    formatters: {
      precise: { format: '%(asctime)s - %(name)s - %(levelname)s - %(request)s - %(message)s' },
    },
    handlers: {
      file: { class: 'logging.FileHandler', formatter: 'precise', filename: logPath },
    },
    root: { level: 'INFO', handlers: ['file'] },
    disable_existing_loggers: false,
  };
}

async function waitUntilServing(
  clientUrl: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Synapse exited (${child.exitCode ?? child.signalCode}) before serving`);
    }
    try {
      const response = await fetch(`${clientUrl}/_matrix/client/versions`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Synapse did not answer /_matrix/client/versions within ${timeoutMs} ms`);
}

// Shared-secret registration (Synapse admin API): fetch a nonce, then register with an HMAC of
// the registration keyed by registration_shared_secret.
async function registerUser(
  clientUrl: string,
  secret: string,
  username: string,
  password: string,
  admin: boolean,
): Promise<SynapseUser> {
  const url = `${clientUrl}/_synapse/admin/v1/register`;
  const nonceResponse = await fetch(url);
  if (!nonceResponse.ok) throw new Error(`GET ${url}: ${nonceResponse.status}`);
  const { nonce } = (await nonceResponse.json()) as { nonce: string };
  const mac = sharedSecretMac(secret, { nonce, username, password, admin });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce, username, password, admin, mac }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(body)}`);
  return { userId: String(body.user_id), accessToken: String(body.access_token) };
}

/** Environment (over testEnv's) for a Cairn process that federates with `synapse` with TLS
 * verified both ways: a certificate for `localhost` from Synapse's CA, that CA trusted, loopback
 * allowed, and a `localhost:<port>` server name on a fixed federation port. */
export async function cairnEnvForSynapse(
  synapse: SynapsePeer,
): Promise<{ serverName: string; env: NodeJS.ProcessEnv }> {
  const port = await freePort();
  const certificate = synapse.ca.issue({ dns: ['localhost'], ip: ['127.0.0.1'] });
  const serverName = `localhost:${port}`;
  return {
    serverName,
    env: {
      CAIRN_SERVER_NAME: serverName,
      CAIRN_FEDERATION_PORT: String(port),
      CAIRN_FEDERATION_TLS_CERT_PATH: certificate.certPath,
      CAIRN_FEDERATION_TLS_KEY_PATH: certificate.keyPath,
      CAIRN_FEDERATION_CA_FILE: synapse.caPath,
      CAIRN_FEDERATION_ALLOW_PRIVATE_NETWORKS: 'true',
    },
  };
}
