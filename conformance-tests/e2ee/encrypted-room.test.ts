// An encrypted room across two Cairn servers, with real client crypto (matrix-js-sdk's Rust
// crypto) on both sides: alice on hs1 and bob on hs2 share a room, alice turns on megolm, and
// each decrypts what the other sends. This needs the whole server side of e2ee: device keys and
// one-time keys uploaded, queried and claimed across servers (keys/* and the federation
// user/keys/* endpoints), device list tracking, and to-device messages carrying room keys.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { explainRoom, MEGOLM, waitForDecryptedMessage } from '../support/crypto-clients.ts';
import { startEncryptedPair } from '../support/encrypted-pair.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';

const WAIT_MS = 60_000;

for (const backend of PROCESS_BACKENDS) {
  describe(`encrypted room over federation (${backend.name})`, {
    skip: backend.skip,
    timeout: 240_000,
  }, () => {
    test('alice@hs1 and bob@hs2 exchange megolm messages and decrypt each other', async (t) => {
      const { alice, bob, roomId } = await startEncryptedPair(t, backend.databaseUrl, WAIT_MS);

      await alice.client.sendTextMessage(roomId, 'hello bob, from hs1');
      const atBob = await waitForDecryptedMessage(
        bob,
        roomId,
        'hello bob, from hs1',
        WAIT_MS,
        alice,
      );
      assertDecrypted(atBob, alice.userId);

      await bob.client.sendTextMessage(roomId, 'hello alice, from hs2');
      const atAlice = await waitForDecryptedMessage(
        alice,
        roomId,
        'hello alice, from hs2',
        WAIT_MS,
        bob,
      );
      assertDecrypted(atAlice, bob.userId);

      // More each way: the same outbound sessions keep working (later megolm ratchet indexes).
      for (let i = 0; i < 3; i++) {
        await alice.client.sendTextMessage(roomId, `alice ${i}`);
        await bob.client.sendTextMessage(roomId, `bob ${i}`);
      }
      for (let i = 0; i < 3; i++) {
        assertDecrypted(
          await waitForDecryptedMessage(bob, roomId, `alice ${i}`, WAIT_MS, alice),
          alice.userId,
        );
        assertDecrypted(
          await waitForDecryptedMessage(alice, roomId, `bob ${i}`, WAIT_MS, bob),
          bob.userId,
        );
      }

      // Each side got the other's device keys as the device published them (keys/query through
      // its own server, then federation user/keys/query to the other).
      for (const [viewer, owner] of [
        [alice, bob],
        [bob, alice],
      ] as const) {
        const own = await owner.crypto.getOwnDeviceKeys();
        const seen = (await viewer.crypto.getUserDeviceInfo([owner.userId]))
          .get(owner.userId)
          ?.get(owner.deviceId);
        assert.equal(seen?.getFingerprint(), own.ed25519, `${viewer.userId} sees ${owner.userId}`);
        assert.equal(seen?.getIdentityKey(), own.curve25519);
      }

      // Nothing was sent in the clear: the server only ever saw m.room.encrypted.
      const raw = (
        await alice.client.createMessagesRequest(roomId, null, 50, sdk.Direction.Backward)
      ).chunk;
      const messages = raw.filter(
        (event) => event.type === 'm.room.message' || event.type === 'm.room.encrypted',
      );
      assert.equal(messages.length, 8, explainRoom(alice, roomId));
      for (const event of messages) {
        assert.equal(event.type, 'm.room.encrypted');
        assert.equal((event.content as { algorithm?: string }).algorithm, MEGOLM);
      }
    });
  });
}

function assertDecrypted(event: sdk.MatrixEvent, sender: string) {
  assert.equal(event.isEncrypted(), true, 'sent encrypted');
  assert.equal(event.isDecryptionFailure(), false);
  assert.equal(event.getWireType(), 'm.room.encrypted');
  assert.equal(event.getSender(), sender);
}
