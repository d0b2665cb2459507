// Unread notification counts as a real client sees them: `cairn start` as a process, two
// matrix-js-sdk clients. Bob mentions alice; alice's client shows the room's notification and
// highlight counts from /sync; her read receipt brings them back to zero.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import { PROCESS_BACKENDS, registerAndStartClient, waitUntil } from '../support/js-sdk-clients.ts';

/** Polls the clients' synced state until `predicate` holds. */
const waitFor = (predicate: () => boolean, what: string) => waitUntil(predicate, what, 30_000);

for (const backend of PROCESS_BACKENDS) {
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
        ['alice', 'bob'].map((name) => registerAndStartClient(server.clientUrl, name)),
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
