// The rebuild after a long-poll wakes (server/sync/long-poll.ts) takes the user's own sections
// (to-device, account data, key counts) from the build before the wait. Whatever those streams
// got meanwhile must still arrive: at once when it is all there is, or with the client's next
// /sync when a room event came with it. Nothing is lost or sent twice. Both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { bodies, fixtures, type Json } from './sync-fixtures.ts';

const LONG_POLL_MS = 20_000;

async function sendToDevice(client: ClientHarness, from: TestAccount, to: TestAccount, n: string) {
  const result = await client.call('PUT', `/_matrix/client/v3/sendToDevice/org.example.ping/${n}`, {
    token: from.accessToken,
    body: { messages: { [to.userId]: { [to.deviceId]: { n } } } },
  });
  assert.equal(result.status, 200);
}

function toDeviceOf(sync: Json): string[] {
  return (sync.to_device?.events ?? []).map((event: Json) => String(event.content.n));
}

/** Starts a long-poll, then runs `change` once the request is waiting on the notifier. */
async function pollAround(
  client: ClientHarness,
  poll: () => Promise<Json>,
  change: () => Promise<void>,
): Promise<{ sync: Json; ms: number }> {
  const started = performance.now();
  const waiting = client.ctx.sync.notifier.waiting;
  const pending = poll();
  while (client.ctx.sync.notifier.waiting === waiting) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await change();
  const sync = await pending;
  return { sync, ms: performance.now() - started };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a long-poll woken by to-device alone returns it at once`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await f.createRoom(alice, { preset: 'public_chat' });
      await f.membership(bob, roomId, 'join');
      let since = (await f.sync(bob)).next_batch;
      // First a room event, so that the next wait follows a rebuild that reused sections.
      const first = await pollAround(
        client,
        () => f.sync(bob, { since, timeout: LONG_POLL_MS }),
        () => f.send(alice, roomId, 'one').then(() => {}),
      );
      assert.deepEqual(bodies(first.sync, roomId), ['one']);
      since = first.sync.next_batch;
      const second = await pollAround(
        client,
        () => f.sync(bob, { since, timeout: LONG_POLL_MS }),
        () => sendToDevice(client, alice, bob, 'ping-1'),
      );
      assert.deepEqual(toDeviceOf(second.sync), ['ping-1']);
      assert.ok(second.ms < LONG_POLL_MS / 2, `answered in ${second.ms} ms, not at the timeout`);
    }));

  test(`${kind}: to-device, account data and a room event at once: each arrives exactly once`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await f.createRoom(alice, { preset: 'public_chat' });
      await f.membership(bob, roomId, 'join');
      let since = (await f.sync(bob)).next_batch;
      const seen = { messages: [] as string[], toDevice: [] as string[], accountData: 0 };
      const take = (sync: Json) => {
        seen.messages.push(...bodies(sync, roomId));
        seen.toDevice.push(...toDeviceOf(sync));
        seen.accountData += (sync.account_data?.events ?? []).filter(
          (event: Json) => event.type === 'org.example.setting',
        ).length;
        since = sync.next_batch;
      };
      // Round 1 wakes for a room event (so the wait after it follows a reusing rebuild).
      take(
        (
          await pollAround(
            client,
            () => f.sync(bob, { since, timeout: LONG_POLL_MS }),
            () => f.send(alice, roomId, 'warm-up').then(() => {}),
          )
        ).sync,
      );
      // Round 2: the user's own streams and a room event, all during one wait.
      take(
        (
          await pollAround(
            client,
            () => f.sync(bob, { since, timeout: LONG_POLL_MS }),
            async () => {
              await sendToDevice(client, alice, bob, 'ping-2');
              const put = await client.call(
                'PUT',
                `/_matrix/client/v3/user/${encodeURIComponent(bob.userId)}/account_data/org.example.setting`,
                { token: bob.accessToken, body: { on: true } },
              );
              assert.equal(put.status, 200);
              await f.send(alice, roomId, 'two');
            },
          )
        ).sync,
      );
      // The client's next syncs pick up whatever the woken rebuild left for them.
      for (let i = 0; i < 3; i++) take(await f.sync(bob, { since, timeout: 0 }));
      assert.deepEqual(seen.messages, ['warm-up', 'two']);
      assert.deepEqual(seen.toDevice, ['ping-2']);
      assert.equal(seen.accountData, 1);
    }));
}
