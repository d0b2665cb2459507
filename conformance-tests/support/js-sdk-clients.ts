// Real matrix-js-sdk clients against a `cairn start` process (cairn-process.ts): the backends a
// process test runs on, registering through the client's own interactive auth, starting a client
// and waiting until its first sync is in, and polling a client's synced state.
import * as sdk from 'matrix-js-sdk';
import { logger as sdkLogger } from 'matrix-js-sdk/lib/logger.js';
import { createScratchDatabase } from './databases.ts';

// The sdk's default logger (a loglevel logger) prints every HTTP request at debug level.
(sdkLogger as unknown as { setLevel(level: string): void }).setLevel('error');

export const CLIENT_PASSWORD = 'correct horse battery staple';

/** PGlite always; PostgreSQL (a scratch database) when CAIRN_TEST_DATABASE_URL is set. */
export const PROCESS_BACKENDS = [
  { name: 'PGlite', databaseUrl: async () => undefined, skip: false as false | string },
  {
    name: 'PostgreSQL',
    databaseUrl: async () => createScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!),
    skip: !process.env.CAIRN_TEST_DATABASE_URL && 'CAIRN_TEST_DATABASE_URL is not set',
  },
];

/** Registers `username` (with CLIENT_PASSWORD) and returns its client, started and synced. */
export async function registerAndStartClient(
  baseUrl: string,
  username: string,
  options: sdk.IStartClientOpts = { initialSyncLimit: 20 },
): Promise<sdk.MatrixClient> {
  const client = await registerClient(baseUrl, username);
  await startClientAndWait(client, options);
  return client;
}

/** Registers `username` through the client's interactive auth; the client is not started. */
export async function registerClient(baseUrl: string, username: string): Promise<sdk.MatrixClient> {
  const anonymous = sdk.createClient({ baseUrl });
  const auth = new sdk.InteractiveAuth({
    matrixClient: anonymous,
    doRequest: (authData) =>
      anonymous.registerRequest({
        username,
        password: CLIENT_PASSWORD,
        ...(authData ? { auth: authData } : {}),
      }),
    stateUpdated: () => {},
    requestEmailToken: () => Promise.reject(new Error('no email stage')),
  });
  const registered = (await auth.attemptAuth()) as sdk.RegisterResponse;
  return sdk.createClient({
    baseUrl,
    userId: registered.user_id,
    accessToken: registered.access_token!,
    deviceId: registered.device_id!,
  });
}

/** Starts the client and resolves once its first sync is in (fails on a sync error). */
export async function startClientAndWait(
  client: sdk.MatrixClient,
  options: sdk.IStartClientOpts,
): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    client.on(sdk.ClientEvent.Sync, (state, _prev, data) => {
      if (state === sdk.SyncState.Prepared || state === sdk.SyncState.Syncing) resolve();
      if (state === sdk.SyncState.Error) reject(data?.error ?? new Error('sync error'));
    });
  });
  await client.startClient(options);
  await ready;
}

/**
 * Resolves when `predicate` holds about clients' synced state; fails after `ms`. Polling the
 * clients' in-memory state (not the server) keeps this independent of which sdk event a change
 * arrives as (invites, for one, arrive as new rooms, not timeline events).
 */
export async function waitUntil(predicate: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
