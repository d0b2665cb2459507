// Presence as real clients see it: `cairn start` as a process and matrix-js-sdk clients syncing.
// Alice sets her presence and a status message; bob, who shares a room with her, sees both on her
// User after his syncs, and through GET /presence; carol, who shares none, may not look.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import { PROCESS_BACKENDS, registerAndStartClient, waitUntil } from '../support/js-sdk-clients.ts';

/** Polls the clients' synced state until `predicate` holds. */
const waitFor = (predicate: () => boolean, what: string) => waitUntil(predicate, what, 60_000);

for (const backend of PROCESS_BACKENDS) {
  describe(`matrix-js-sdk clients see presence through cairn start on ${backend.name}`, {
    skip: backend.skip,
  }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    let alice: sdk.MatrixClient;
    let bob: sdk.MatrixClient;
    let carol: sdk.MatrixClient;

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      server = await startCairn(
        testEnv(newDataDir(), {
          CAIRN_SERVER_NAME: 'cairn.test',
          CAIRN_ENABLE_REGISTRATION: 'true',
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
        }),
      );
      [alice, bob, carol] = (await Promise.all(
        ['alice', 'bob', 'carol'].map((name) =>
          registerAndStartClient(server.clientUrl, name, { initialSyncLimit: 10 }),
        ),
      )) as [sdk.MatrixClient, sdk.MatrixClient, sdk.MatrixClient];
    });
    after(async () => {
      for (const client of [alice, bob, carol]) client?.stopClient();
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('a status message set by alice reaches bob, who shares a room with her', async () => {
      const aliceId = alice.getUserId()!;
      const { room_id: roomId } = await alice.createRoom({
        preset: sdk.Preset.PrivateChat,
        invite: [bob.getUserId()!],
      });
      await waitFor(() => bob.getRoom(roomId)?.getMyMembership() === 'invite', "bob's invite");
      await bob.joinRoom(roomId);

      await alice.setPresence({ presence: 'online', status_msg: 'Writing tests' });
      await waitFor(
        () => bob.getUser(aliceId)?.presenceStatusMsg === 'Writing tests',
        "alice's status message at bob",
      );
      const seen = bob.getUser(aliceId)!;
      assert.equal(seen.presence, 'online');
      assert.equal(seen.currentlyActive, true);

      // A new message replaces the old one everywhere.
      await alice.setPresence({ presence: 'online', status_msg: 'Reviewing' });
      await waitFor(
        () => bob.getUser(aliceId)?.presenceStatusMsg === 'Reviewing',
        "alice's new status message at bob",
      );
      const asked = await bob.getPresence(aliceId);
      assert.equal(asked.presence, 'online');
      assert.equal(asked.status_msg, 'Reviewing');
      assert.equal(typeof asked.last_active_ago, 'number');

      // Carol shares no room with alice: she hears nothing and may not ask.
      await assert.rejects(carol.getPresence(aliceId), (err: sdk.MatrixError) => {
        assert.equal(err.errcode, 'M_FORBIDDEN');
        return true;
      });
      assert.equal(carol.getUser(aliceId)?.presenceStatusMsg, undefined);
    });
  });
}
