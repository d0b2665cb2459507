// Cross-signing and server-side key backup with real client crypto across two Cairn servers.
// Cross-signing: alice (hs1) sets it up while bob (hs2) already tracks her devices, so bob's
// client only learns of it if hs1 tells hs2 (m.signing_key_update / device list EDUs) and hs2
// puts alice in bob's /sync device_lists.changed; bob then sees her master key and her device
// signed by her self-signing key. Key backup: alice backs her room keys up to hs1
// (room_keys/*), and a new device of hers, given the backup's key, restores them and decrypts
// messages sent before it existed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CrossSigningKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import {
  backedUpSessions,
  bootstrapCrossSigning,
  createKeyBackup,
  encryptedEventsFrom,
  explainFailures,
  restoreFromBackup,
  waitFor,
  waitForDecryptedMessage,
} from '../support/crypto-clients.ts';
import { startEncryptedPair } from '../support/encrypted-pair.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';

const WAIT_MS = 60_000;

for (const backend of PROCESS_BACKENDS) {
  describe(`cross-signing and key backup over federation (${backend.name})`, {
    skip: backend.skip,
    timeout: 300_000,
  }, () => {
    test("bob's client sees the cross-signing identity alice sets up", async (t) => {
      const { alice, bob, roomId } = await startEncryptedPair(t, backend.databaseUrl, WAIT_MS);
      // bob's client tracks alice's devices from here on (it shared a room key with them).
      await alice.client.sendTextMessage(roomId, 'before cross-signing');
      await waitForDecryptedMessage(bob, roomId, 'before cross-signing', WAIT_MS, alice);
      assert.equal(await bob.crypto.getUserCrossSigningKeys(alice.userId), null);

      // keys/device_signing/upload (behind password auth), then alice's device signed by the
      // new self-signing key (keys/signatures/upload).
      await bootstrapCrossSigning(alice);
      const masterKeyId = await alice.crypto.getCrossSigningKeyId(CrossSigningKey.Master);
      assert.ok(masterKeyId, `alice has a master key\n${explainFailures(alice)}`);
      assert.equal(await alice.crypto.isCrossSigningReady(), true, explainFailures(alice));

      // No forced download: bob's client queries alice's keys again (federation
      // user/keys/query) only when hs2 reports her in device_lists.changed.
      await waitFor(
        async () => {
          const keys = await bob.crypto.getUserCrossSigningKeys(alice.userId);
          return Object.values(keys?.master_key?.keys ?? {}).includes(masterKeyId);
        },
        "bob's client to learn alice's master key (signing key update hs1 -> hs2)",
        WAIT_MS,
        () => explainFailures(bob),
      );
      const aliceKeysAtBob = await bob.crypto.getUserCrossSigningKeys(alice.userId);
      assert.deepEqual(Object.values(aliceKeysAtBob?.master_key?.keys ?? {}), [masterKeyId]);
      assert.ok(aliceKeysAtBob?.self_signing_key, 'the self-signing key came over too');
      assert.equal(aliceKeysAtBob?.user_signing_key, undefined, "another's USK is never shown");
      assert.equal(await bob.crypto.userHasCrossSigningKeys(alice.userId), true);
      const status = await bob.crypto.getUserVerificationStatus(alice.userId);
      assert.equal(status.isCrossSigningVerified(), false, 'known but not verified by bob');
      await waitFor(
        async () =>
          (await bob.crypto.getDeviceVerificationStatus(alice.userId, alice.deviceId))
            ?.signedByOwner === true,
        "bob's client to see alice's device signed by her self-signing key",
        WAIT_MS,
        () => explainFailures(bob),
      );
    });

    test("alice's new device restores old room keys from her key backup", async (t) => {
      const { hs1Url, alice, bob, roomId, newDevice } = await startEncryptedPair(
        t,
        backend.databaseUrl,
        WAIT_MS,
      );
      // Key backup: a new version on hs1, then the room keys alice's device holds are uploaded.
      const backup = await createKeyBackup(alice, WAIT_MS);
      const info = await alice.crypto.getKeyBackupInfo();
      assert.equal(info?.algorithm, 'm.megolm_backup.v1.curve25519-aes-sha2');
      assert.equal(info?.version, backup.version);
      assert.equal((await alice.crypto.isKeyBackupTrusted(info!)).trusted, true);

      await alice.client.sendTextMessage(roomId, 'from alice, before her new device');
      await bob.client.sendTextMessage(roomId, 'from bob, before alice has a new device');
      await waitForDecryptedMessage(
        bob,
        roomId,
        'from alice, before her new device',
        WAIT_MS,
        alice,
      );
      await waitForDecryptedMessage(
        alice,
        roomId,
        'from bob, before alice has a new device',
        WAIT_MS,
        bob,
      );
      // alice's outbound session and bob's inbound one: two sessions in the room's backup.
      let stored: string[] = [];
      await waitFor(
        async () => {
          stored = (await backedUpSessions(alice, backup.version))[roomId] ?? [];
          return stored.length >= 2;
        },
        'two room keys backed up on hs1',
        WAIT_MS,
        () => `sessions on the server: ${JSON.stringify(stored)}\n${explainFailures(alice)}`,
      );

      // A new device of alice: the old messages are undecryptable until it restores the backup.
      const alice2 = await newDevice(hs1Url, alice.userId);
      await waitFor(
        () =>
          encryptedEventsFrom(alice2, roomId, alice.userId).length === 1 &&
          encryptedEventsFrom(alice2, roomId, bob.userId).length === 1,
        "both old messages in the new device's timeline",
        WAIT_MS,
      );
      for (const event of [
        ...encryptedEventsFrom(alice2, roomId, alice.userId),
        ...encryptedEventsFrom(alice2, roomId, bob.userId),
      ]) {
        await waitFor(() => event.isDecryptionFailure(), 'the old messages to be UTD', WAIT_MS);
      }

      const restored = await restoreFromBackup(alice2, backup);
      assert.equal(restored.total, stored.length);
      // (Some may have come in already: with the key stored, the client fetches the keys of
      // undecryptable events from the backup by itself.)
      assert.ok(restored.imported <= restored.total);
      const fromAlice = await waitForDecryptedMessage(
        alice2,
        roomId,
        'from alice, before her new device',
        WAIT_MS,
      );
      const fromBob = await waitForDecryptedMessage(
        alice2,
        roomId,
        'from bob, before alice has a new device',
        WAIT_MS,
      );
      assert.equal(fromAlice.isDecryptionFailure(), false);
      assert.equal(fromBob.isDecryptionFailure(), false);
      assert.equal(fromBob.getSender(), bob.userId);
    });
  });
}
