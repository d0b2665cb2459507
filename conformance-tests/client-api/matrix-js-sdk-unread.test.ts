// Unread notification counts as a real client sees them: `cairn start` as a process, two
// matrix-js-sdk clients. Bob mentions alice; alice's client shows the room's notification and
// highlight counts from /sync; her read receipt brings them back to zero.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { logger as sdkLogger } from 'matrix-js-sdk/lib/logger.js';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { createScratchDatabase, dropScratchDatabase } from '../support/databases.ts';

(sdkLogger as unknown as { setLevel(level: string): void }).setLevel('error');

const PASSWORD = 'correct horse battery staple';

const backends = [
  { name: 'PGlite', databaseUrl: async () => undefined, skip: false as false | string },
  {
    name: 'PostgreSQL',
    databaseUrl: async () => createScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!),
    skip: !process.env.CAIRN_TEST_DATABASE_URL && 'CAIRN_TEST_DATABASE_URL is not set',
  },
];

async function registerAndStart(baseUrl: string, username: string): Promise<sdk.MatrixClient> {
  const anonymous = sdk.createClient({ baseUrl });
  const auth = new sdk.InteractiveAuth({
    matrixClient: anonymous,
    doRequest: (authData) =>
      anonymous.registerRequest({
        username,
        password: PASSWORD,
        ...(authData ? { auth: authData } : {}),
      }),
    stateUpdated: () => {},
    requestEmailToken: () => Promise.reject(new Error('no email stage')),
  });
  const registered = (await auth.attemptAuth()) as sdk.RegisterResponse;
  const client = sdk.createClient({
    baseUrl,
    userId: registered.user_id,
    accessToken: registered.access_token!,
    deviceId: registered.device_id!,
  });
  const ready = new Promise<void>((resolve, reject) => {
    client.on(sdk.ClientEvent.Sync, (state, _prev, data) => {
      if (state === sdk.SyncState.Prepared || state === sdk.SyncState.Syncing) resolve();
      if (state === sdk.SyncState.Error) reject(data?.error ?? new Error('sync error'));
    });
  });
  await client.startClient({ initialSyncLimit: 20 });
  await ready;
  return client;
}

/** Polls the client's synced state until `predicate` holds; fails after `ms`. */
async function waitFor(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const backend of backends) {
  describe(`matrix-js-sdk unread counts through cairn start on ${backend.name}`, {
    skip: backend.skip,
  }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    let alice: sdk.MatrixClient;
    let bob: sdk.MatrixClient;

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      server = await startCairn(
        testEnv(newDataDir(), {
          CAIRN_SERVER_NAME: 'cairn.test',
          CAIRN_ENABLE_REGISTRATION: 'true',
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
        }),
      );
      [alice, bob] = (await Promise.all(
        ['alice', 'bob'].map((name) => registerAndStart(server.clientUrl, name)),
      )) as [sdk.MatrixClient, sdk.MatrixClient];
    });
    after(async () => {
      for (const client of [alice, bob]) client?.stopClient();
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('a mention counts and highlights until alice reads it', async () => {
      const aliceId = alice.getUserId()!;
      const { room_id: roomId } = await alice.createRoom({
        preset: sdk.Preset.PublicChat,
        name: 'lunch',
      });
      await bob.joinRoom(roomId);
      await waitFor(() => bob.getRoom(roomId)?.getMyMembership() === 'join', 'bob joined');
      await bob.sendTextMessage(roomId, 'anyone hungry?');
      const { event_id: mentionId } = await bob.sendMessage(roomId, {
        msgtype: sdk.MsgType.Text,
        body: 'alice: lunch?',
        'm.mentions': { user_ids: [aliceId] },
      });

      const count = (type: sdk.NotificationCountType) =>
        alice.getRoom(roomId)?.getUnreadNotificationCount(type) ?? 0;
      await waitFor(
        () => alice.getRoom(roomId)?.findEventById(mentionId) !== undefined,
        'the mention reached alice',
      );
      await waitFor(
        () =>
          count(sdk.NotificationCountType.Total) >= 1 &&
          count(sdk.NotificationCountType.Highlight) === 1,
        'the mention counted',
      );
      assert.equal(count(sdk.NotificationCountType.Total), 2, 'both messages notify');
      assert.equal(
        bob.getRoom(roomId)?.getUnreadNotificationCount(sdk.NotificationCountType.Total),
        0,
        "bob's own messages do not count for him",
      );

      const mention = alice.getRoom(roomId)!.findEventById(mentionId)!;
      await alice.sendReadReceipt(mention);
      await waitFor(
        () =>
          count(sdk.NotificationCountType.Total) === 0 &&
          count(sdk.NotificationCountType.Highlight) === 0,
        'the counts cleared by the receipt',
      );
    });
  });
}
