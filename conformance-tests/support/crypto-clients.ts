// matrix-js-sdk clients with end-to-end encryption (its Rust crypto, matrix-sdk-crypto-wasm) in
// Node, against `cairn start` processes: what the e2ee conformance tests drive.
//
// Node 24 needs nothing extra: the wasm package's `node` export loads its .wasm from disk,
// globalThis.crypto is built in, and `useIndexedDB: false` keeps the crypto store in memory (so
// no fake-indexeddb). Each client logs (sdk and Rust tracing alike) into its own ring buffer
// instead of the console, and remembers every HTTP response it got with status >= 400 and every
// to-device message it sent: when a test fails, those tell which server call went wrong.
import * as sdk from 'matrix-js-sdk';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { type Logger, logger as sdkLogger } from 'matrix-js-sdk/lib/logger.js';
import { CLIENT_PASSWORD, registerClient, startClientAndWait } from './js-sdk-clients.ts';

export const MEGOLM = 'm.megolm.v1.aes-sha2';

export interface FailedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;
}

export interface SentToDevice {
  readonly type: string;
  /** user id -> the device ids the message went to. */
  readonly recipients: Record<string, string[]>;
}

export interface CryptoClient {
  readonly client: sdk.MatrixClient;
  readonly crypto: CryptoApi;
  readonly userId: string;
  readonly deviceId: string;
  readonly failures: FailedRequest[];
  readonly toDevice: SentToDevice[];
  /** The last log lines (sdk and Rust crypto), oldest first. */
  readonly logs: string[];
  stop(): void;
}

const LOG_LINES = 400;

// Some sdk parts (MatrixRTCSession, per room) log through child loggers of the sdk's global
// logger, not the client's, and each child starts at debug level; a child copies its parent's
// method factory when made, so a quiet factory on the root keeps all later children quiet too.
type LoglevelLogger = {
  methodFactory: (method: string, level: number, name: string) => (...args: unknown[]) => void;
  rebuild(): void;
};
const globalLogger = sdkLogger as unknown as LoglevelLogger;
const loudFactory = globalLogger.methodFactory;
globalLogger.methodFactory = (method, level, name) => {
  const log = loudFactory(method, level, name);
  return method === 'error' ? log : () => {};
};
globalLogger.rebuild();

function bufferLogger(lines: string[], prefix = ''): Logger {
  const write =
    (level: string) =>
    (...msg: unknown[]) => {
      const text = msg.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
      lines.push(`${level} ${prefix}${text}`);
      if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
      if (process.env.CAIRN_TEST_CRYPTO_LOG && level !== 'debug' && level !== 'trace') {
        console.error(`${level} ${prefix}${text}`);
      }
    };
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    getChild: (namespace) => bufferLogger(lines, `${prefix}${namespace} `),
  };
}

/** fetch() that notes failed responses and sent to-device messages. */
function recordingFetch(failures: FailedRequest[], toDevice: SentToDevice[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const sendToDevice = /\/sendToDevice\/([^/]+)\//.exec(url.pathname);
    if (sendToDevice && typeof init?.body === 'string') {
      const { messages } = JSON.parse(init.body) as { messages: Record<string, object> };
      const recipients: Record<string, string[]> = {};
      for (const [userId, devices] of Object.entries(messages)) {
        recipients[userId] = Object.keys(devices);
      }
      toDevice.push({ type: decodeURIComponent(sendToDevice[1]!), recipients });
    }
    const response = await fetch(input, init);
    if (response.status >= 400) {
      const body = await response
        .clone()
        .text()
        .catch(() => '');
      failures.push({ method, path: url.pathname + url.search, status: response.status, body });
    }
    return response;
  };
}

export interface Credentials {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

/** A client with Rust crypto for an existing device, started and through its first sync. */
export async function startCryptoClient(credentials: Credentials): Promise<CryptoClient> {
  const logs: string[] = [];
  const failures: FailedRequest[] = [];
  const toDevice: SentToDevice[] = [];
  const client = sdk.createClient({
    ...credentials,
    logger: bufferLogger(logs),
    fetchFn: recordingFetch(failures, toDevice),
  });
  await client.initRustCrypto({ useIndexedDB: false });
  await startClientAndWait(client, { initialSyncLimit: 30 });
  return {
    client,
    crypto: client.getCrypto()!,
    userId: credentials.userId,
    deviceId: credentials.deviceId,
    failures,
    toDevice,
    logs,
    stop: () => client.stopClient(),
  };
}

/** Registers `username` (password CLIENT_PASSWORD) and starts its first device with crypto. */
export async function registerCryptoClient(
  baseUrl: string,
  username: string,
): Promise<CryptoClient> {
  const registered = await registerClient(baseUrl, username);
  return startCryptoClient({
    baseUrl,
    userId: registered.getUserId()!,
    deviceId: registered.getDeviceId()!,
    accessToken: registered.getAccessToken()!,
  });
}

/** Logs `userId` in with its password: a new device, started with crypto. */
export async function loginCryptoClient(baseUrl: string, userId: string): Promise<CryptoClient> {
  const anonymous = sdk.createClient({ baseUrl });
  const login = await anonymous.loginRequest({
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: userId },
    password: CLIENT_PASSWORD,
  });
  return startCryptoClient({
    baseUrl,
    userId: login.user_id,
    deviceId: login.device_id,
    accessToken: login.access_token,
  });
}

/** Like js-sdk-clients' waitUntil, for a predicate that has to ask the (async) crypto API. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  ms: number,
  explain: () => string | Promise<string> = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      const why = await explain();
      throw new Error(`timed out waiting for ${what}${why ? `\n${why}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Turns on megolm encryption in the room and waits until the client's crypto knows it. */
export async function enableEncryption(c: CryptoClient, roomId: string, ms: number) {
  await c.client.sendStateEvent(roomId, sdk.EventType.RoomEncryption, { algorithm: MEGOLM }, '');
  await waitFor(() => c.crypto.isEncryptionEnabledInRoom(roomId), 'encryption enabled', ms);
}

/** What a client's room holds of encrypted events, and its failed requests, for error messages. */
export function explainRoom(c: CryptoClient, roomId: string): string {
  const events = c.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  const encrypted = events
    .filter((event) => event.isEncrypted())
    .map(
      (event) =>
        `  ${event.getId()} from ${event.getSender()}: ${
          event.isDecryptionFailure()
            ? `decryption failure ${event.decryptionFailureReason}`
            : `${event.getType()} ${JSON.stringify(event.getContent().body)}`
        }`,
    );
  return [
    `${c.userId} (${c.deviceId}) in ${roomId}, encrypted events:`,
    ...(encrypted.length ? encrypted : ['  none']),
    explainFailures(c),
  ].join('\n');
}

export function explainFailures(c: CryptoClient): string {
  const toDevice = c.toDevice.map((sent) => `  ${sent.type} -> ${JSON.stringify(sent.recipients)}`);
  const failures = c.failures
    .slice(-15)
    .map((f) => `  ${f.method} ${f.path} -> ${f.status} ${f.body}`);
  return [
    `${c.userId} (${c.deviceId}) sent to-device:`,
    ...(toDevice.length ? toDevice : ['  none']),
    `${c.userId} (${c.deviceId}) failed requests:`,
    ...(failures.length ? failures : ['  none']),
  ].join('\n');
}

/**
 * Waits until an encrypted m.room.message with this body is in the room's live timeline,
 * decrypted; returns it. Decryption happens in the client as keys arrive (the sdk retries
 * events that failed once their room key comes in), so this only watches.
 */
export async function waitForDecryptedMessage(
  c: CryptoClient,
  roomId: string,
  body: string,
  ms: number,
  /** The sender's client, whose failed requests and to-device messages a timeout reports. */
  from?: CryptoClient,
): Promise<sdk.MatrixEvent> {
  let found: sdk.MatrixEvent | undefined;
  await waitFor(
    () => {
      const events = c.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
      found = events.find(
        (event) =>
          event.isEncrypted() &&
          !event.isDecryptionFailure() &&
          event.getType() === 'm.room.message' &&
          event.getContent().body === body,
      );
      return found !== undefined;
    },
    `${c.userId} (${c.deviceId}) to decrypt ${JSON.stringify(body)}`,
    ms,
    () => [explainRoom(c, roomId), ...(from ? [explainFailures(from)] : [])].join('\n'),
  );
  return found!;
}

/** The events of the room's live timeline that are encrypted and were sent by `sender`. */
export function encryptedEventsFrom(
  c: CryptoClient,
  roomId: string,
  sender: string,
): sdk.MatrixEvent[] {
  return (c.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).filter(
    (event) => event.isEncrypted() && event.getSender() === sender,
  );
}

/**
 * The user-interactive auth callback for a password stage: first the request without auth (a
 * server may let a first cross-signing upload through), then with the session the 401 gave.
 */
export function passwordAuth(c: CryptoClient) {
  return async <T>(makeRequest: (auth: sdk.AuthDict | null) => Promise<T>): Promise<T> => {
    try {
      return await makeRequest(null);
    } catch (error) {
      const data = (error as sdk.MatrixError).data as { session?: string; flows?: unknown };
      if ((error as sdk.MatrixError).httpStatus !== 401 || !data?.flows) throw error;
      return makeRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: c.userId },
        password: CLIENT_PASSWORD,
        ...(data.session ? { session: data.session } : {}),
      });
    }
  };
}

/** New cross-signing keys for the user, uploaded (with password auth) and signing this device. */
export async function bootstrapCrossSigning(c: CryptoClient): Promise<void> {
  await c.crypto.bootstrapCrossSigning({
    setupNewCrossSigning: true,
    authUploadDeviceSigningKeys: passwordAuth(c),
  });
}

export interface KeyBackup {
  readonly version: string;
  /** The backup's decryption key, as another device would get it (by gossip, or from 4S). */
  readonly key: Uint8Array;
}

/** Creates a new server-side key backup version; the client starts backing up to it. */
export async function createKeyBackup(c: CryptoClient, ms: number): Promise<KeyBackup> {
  await c.crypto.resetKeyBackup();
  let version: string | null = null;
  await waitFor(
    async () => {
      version = await c.crypto.getActiveSessionBackupVersion();
      return version !== null;
    },
    'the key backup to be active',
    ms,
    () => explainFailures(c),
  );
  const key = await c.crypto.getSessionBackupPrivateKey();
  if (!key) throw new Error('no backup decryption key after resetKeyBackup');
  return { version: version!, key };
}

/** The room keys the server holds in this backup version, per room: GET /room_keys/keys. */
export async function backedUpSessions(
  c: CryptoClient,
  version: string,
): Promise<Record<string, string[]>> {
  const response = (await c.client.http.authedRequest(sdk.Method.Get, '/room_keys/keys', {
    version,
  })) as { rooms?: Record<string, { sessions?: Record<string, unknown> }> };
  return Object.fromEntries(
    Object.entries(response.rooms ?? {}).map(([roomId, room]) => [
      roomId,
      Object.keys(room.sessions ?? {}),
    ]),
  );
}

/** Gives the device the backup's key (as gossip would) and restores every key in the backup. */
export async function restoreFromBackup(c: CryptoClient, backup: KeyBackup) {
  await c.crypto.storeSessionBackupPrivateKey(backup.key, backup.version);
  return c.crypto.restoreKeyBackup();
}

/**
 * A private room `creator` makes and `others` join by invite (over federation when they are on
 * another server); resolves once every client sees every member joined, which is what a
 * client's crypto shares room keys by.
 */
export async function shareRoom(
  creator: CryptoClient,
  others: readonly CryptoClient[],
  ms: number,
): Promise<string> {
  const { room_id: roomId } = await creator.client.createRoom({
    preset: sdk.Preset.PrivateChat,
    invite: others.map((other) => other.userId),
  });
  for (const other of others) {
    await waitFor(
      () => other.client.getRoom(roomId)?.getMyMembership() === 'invite',
      `${other.userId}'s invite`,
      ms,
      () => explainFailures(creator),
    );
    await other.client.joinRoom(roomId);
  }
  const everyone = [creator, ...others];
  for (const viewer of everyone) {
    await waitFor(
      () =>
        everyone.every(
          (member) =>
            viewer.client.getRoom(roomId)?.getMember(member.userId)?.membership === 'join',
        ),
      `${viewer.userId} to see everyone joined`,
      ms,
    );
  }
  return roomId;
}
