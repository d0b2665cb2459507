// What every read path adds under `unsigned` for the reader, on both databases, responses checked
// against the spec: `transaction_id` for the device that sent the event (and only it), and
// `membership`, the reader's membership at each event, `leave` before they joined.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { createTestRoom, roomPath } from '../../../conformance-tests/support/room-fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
type Json = any;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: unsigned.transaction_id on /event, /messages and /context, for the sending device`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const otherDevice = await client.newLogin(alice.userId);
      const roomId = await createTestRoom(client, alice.accessToken, {});
      const room = roomPath(roomId);
      const sent = await client.call('PUT', `${room}/send/m.room.message/txn-1`, {
        token: alice.accessToken,
        body: { msgtype: 'm.text', body: 'hello' },
      });
      const eventId = sent.body.event_id as string;
      // The same txnId in another room is another request (the spec scopes it to the endpoint).
      const otherRoom = await createTestRoom(client, alice.accessToken, {});
      const elsewhere = await client.call(
        'PUT',
        `${roomPath(otherRoom)}/send/m.room.message/txn-1`,
        { token: alice.accessToken, body: { msgtype: 'm.text', body: 'hello' } },
      );
      assert.notEqual(elsewhere.body.event_id, eventId);

      const reads = (token: string) => [
        client
          .call('GET', `${room}/event/${encodeURIComponent(eventId)}`, { token })
          .then((r) => r.body),
        client
          .call('GET', `${room}/messages?dir=b&limit=1`, { token })
          .then((r) => r.body.chunk[0]),
        client
          .call('GET', `${room}/context/${encodeURIComponent(eventId)}`, { token })
          .then((r) => r.body.event),
      ];
      for (const event of await Promise.all(reads(alice.accessToken))) {
        assert.equal(event.event_id, eventId);
        assert.equal(event.unsigned.transaction_id, 'txn-1');
      }
      for (const event of await Promise.all(reads(otherDevice.accessToken))) {
        assert.equal(event.event_id, eventId);
        assert.equal(event.unsigned.transaction_id, undefined, 'another device sees none');
      }
    }));

  test(`${kind}: unsigned.membership is the reader's membership at each event`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const room = roomPath(roomId);
      const say = (token: string, body: string) =>
        client.call('PUT', `${room}/send/m.room.message/${body}`, {
          token,
          body: { msgtype: 'm.text', body },
        });
      await say(alice.accessToken, 'before');
      await client.call('POST', `${room}/join`, { token: bob.accessToken, body: {} });
      await say(alice.accessToken, 'during');
      await client.call('POST', `${room}/leave`, { token: bob.accessToken, body: {} });
      await say(alice.accessToken, 'after');

      const label = (event: Json) =>
        `${event.type === 'm.room.member' ? `${event.content.membership}:${event.state_key}` : (event.content.body ?? event.type)}=${event.unsigned.membership}`;
      const history = async (token: string) => {
        const page = await client.call('GET', `${room}/messages?dir=f&limit=50`, { token });
        return (page.body.chunk as Json[]).map(label);
      };
      // Bob, gone now, reads up to his leave: `leave` before his join (the create event too),
      // `join` from it, and his own leave counts.
      const bobsView = await history(bob.accessToken);
      assert.equal(bobsView[0], 'm.room.create=leave');
      assert.deepEqual(bobsView.slice(-4), [
        'before=leave',
        `join:${bob.userId}=join`,
        'during=join',
        `leave:${bob.userId}=leave`,
      ]);
      // Alice, joined throughout after her own join.
      const alicesView = await history(alice.accessToken);
      assert.deepEqual(alicesView.slice(0, 2), [
        'm.room.create=leave',
        `join:${alice.userId}=join`,
      ]);
      assert.ok(alicesView.slice(1).every((entry) => entry.endsWith('=join')));
      const after = await client.call('GET', `${room}/messages?dir=b&limit=1`, {
        token: alice.accessToken,
      });
      assert.equal(after.body.chunk[0].unsigned.membership, 'join');
    }));
}
