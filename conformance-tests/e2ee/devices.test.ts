// Device lists across two Cairn servers, seen through real client crypto: when bob (hs2) logs in
// on a second device, alice's client (hs1) learns of it (a device list update from hs2 reaches
// alice's /sync, her client queries bob's keys again over federation) and shares room keys for
// her next messages with it; when that device logs out, alice's client learns that too and
// stops sharing keys with it, and its access token is dead.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CryptoClient,
  encryptedEventsFrom,
  explainFailures,
  waitFor,
  waitForDecryptedMessage,
} from '../support/crypto-clients.ts';
import { startEncryptedPair } from '../support/encrypted-pair.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';

const WAIT_MS = 60_000;

/** The device ids alice's crypto knows for the user (from its cache: no forced download). */
async function knownDevices(viewer: CryptoClient, userId: string): Promise<string[]> {
  const devices = await viewer.crypto.getUserDeviceInfo([userId]);
  return [...(devices.get(userId)?.keys() ?? [])].sort();
}

for (const backend of PROCESS_BACKENDS) {
  describe(`e2ee device lists over federation (${backend.name})`, {
    skip: backend.skip,
    timeout: 300_000,
  }, () => {
    test('a new device gets keys for new messages; a logged-out one gets none', async (t) => {
      const { hs2Url, alice, bob, roomId, newDevice } = await startEncryptedPair(
        t,
        backend.databaseUrl,
        WAIT_MS,
      );
      await alice.client.sendTextMessage(roomId, 'before the second device');
      await waitForDecryptedMessage(bob, roomId, 'before the second device', WAIT_MS, alice);
      assert.deepEqual(await knownDevices(alice, bob.userId), [bob.deviceId]);

      // bob logs in again on hs2: a second device, with its own keys.
      const bob2 = await newDevice(hs2Url, bob.userId);
      assert.notEqual(bob2.deviceId, bob.deviceId);
      await waitFor(
        async () => (await knownDevices(alice, bob.userId)).includes(bob2.deviceId),
        "alice's client to learn of bob's second device (device list update hs2 -> hs1)",
        WAIT_MS,
        () => `${explainFailures(alice)}\n${explainFailures(bob2)}`,
      );

      const sentBefore = alice.toDevice.length;
      await alice.client.sendTextMessage(roomId, 'after the second device');
      const atBob2 = await waitForDecryptedMessage(
        bob2,
        roomId,
        'after the second device',
        WAIT_MS,
        alice,
      );
      assert.equal(atBob2.isDecryptionFailure(), false);
      assert.equal(atBob2.getSender(), alice.userId);
      await waitForDecryptedMessage(bob, roomId, 'after the second device', WAIT_MS, alice);
      assert.ok(
        alice.toDevice
          .slice(sentBefore)
          .some((sent) => sent.recipients[bob.userId]?.includes(bob2.deviceId)),
        "alice's client sent a to-device message (the room key) to bob's second device",
      );
      // The message from before it existed: its key was never shared with it.
      const before = encryptedEventsFrom(bob2, roomId, alice.userId);
      assert.equal(before.length, 2, 'both messages are in the new device timeline');
      await waitFor(() => before[0]!.isDecryptionFailure(), 'the old message to stay UTD', WAIT_MS);

      // The second device logs out: its token dies, and alice's client forgets the device.
      const bob2Token = bob2.client.getAccessToken()!;
      bob2.stop();
      await bob2.client.logout();
      // (Plain fetch: an sdk client would try, and log, a token refresh on the 401.)
      const whoami = await fetch(`${hs2Url}/_matrix/client/v3/account/whoami`, {
        headers: { authorization: `Bearer ${bob2Token}` },
      });
      assert.equal(whoami.status, 401);
      assert.equal(((await whoami.json()) as { errcode?: string }).errcode, 'M_UNKNOWN_TOKEN');
      const { devices } = await bob.client.getDevices();
      assert.deepEqual(
        devices.map((device) => device.device_id),
        [bob.deviceId],
      );
      await waitFor(
        async () => !(await knownDevices(alice, bob.userId)).includes(bob2.deviceId),
        "alice's client to learn bob's second device is gone (device list update hs2 -> hs1)",
        WAIT_MS,
        () => explainFailures(alice),
      );
      assert.deepEqual(await knownDevices(alice, bob.userId), [bob.deviceId]);

      // alice's next message: its room key goes to bob's remaining device only (a device that
      // had the session is gone, so her client starts a new megolm session and shares it).
      const sentBeforeLogout = alice.toDevice.length;
      await alice.client.sendTextMessage(roomId, 'after the logout');
      await waitForDecryptedMessage(bob, roomId, 'after the logout', WAIT_MS, alice);
      const keysAfterLogout = alice.toDevice
        .slice(sentBeforeLogout)
        .filter((sent) => sent.type === 'm.room.encrypted');
      assert.ok(
        keysAfterLogout.some((sent) => sent.recipients[bob.userId]?.includes(bob.deviceId)),
        `a new room key went to bob's remaining device: ${JSON.stringify(keysAfterLogout)}`,
      );
      for (const sent of keysAfterLogout) {
        assert.ok(
          !sent.recipients[bob.userId]?.includes(bob2.deviceId),
          `no room key for the logged-out device: ${JSON.stringify(sent)}`,
        );
      }
    });
  });
}
