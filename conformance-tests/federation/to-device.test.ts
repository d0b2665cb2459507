// Send-to-device messages across two Cairn servers, driven by real matrix-js-sdk clients: a
// message from a client on hs1 to a device of a user on hs2 (and one to all of that user's
// devices) travels as an m.direct_to_device EDU and reaches the hs2 client's /sync, once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { PROCESS_BACKENDS, registerAndStartClient, waitUntil } from '../support/js-sdk-clients.ts';

const WAIT_MS = 30_000;

for (const backend of PROCESS_BACKENDS) {
  describe(`to-device over federation (${backend.name})`, {
    skip: backend.skip,
    timeout: 180_000,
  }, () => {
    test('a client on hs1 sends to-device messages to a client on hs2', async (t) => {
      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], backend.databaseUrl);
      t.after(() => federation.stopAll());
      const [hs1, hs2] = federation.servers;
      const alice = await registerAndStartClient(hs1!.process.clientUrl, 'alice');
      const bob = await registerAndStartClient(hs2!.process.clientUrl, 'bob');
      t.after(() => {
        alice.stopClient();
        bob.stopClient();
      });

      const received: { type: string; sender: string; content: object }[] = [];
      bob.on(sdk.ClientEvent.ToDeviceEvent, (event) => {
        received.push({
          type: event.getType(),
          sender: event.getSender() ?? '',
          content: event.getContent(),
        });
      });

      const bobDevice = bob.getDeviceId()!;
      await alice.sendToDevice(
        'org.example.ping',
        new Map([['@bob:hs2.test', new Map([[bobDevice, { n: 1 }]])]]),
      );
      await waitUntil(() => received.length >= 1, 'the message to one device on hs2', WAIT_MS);
      await alice.sendToDevice(
        'org.example.ping',
        new Map([['@bob:hs2.test', new Map([['*', { n: 2 }]])]]),
      );
      await waitUntil(() => received.length >= 2, 'the message to all devices on hs2', WAIT_MS);
      // A few more syncs' time: nothing arrives twice.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.deepEqual(received, [
        { type: 'org.example.ping', sender: '@alice:hs1.test', content: { n: 1 } },
        { type: 'org.example.ping', sender: '@alice:hs1.test', content: { n: 2 } },
      ]);
    });
  });
}
