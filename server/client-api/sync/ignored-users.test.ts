// Ignoring users on both databases: `m.ignored_user_list` is checked when set; the ignored
// user's events stay out of /sync timelines (the limit counting only what is sent), /messages and
// /context, their state events still arrive, their invites do not, and a change of the list applies
// from the next request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  snapshotTables,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomPath } from '../../../conformance-tests/support/room-client.ts';
import { bodies, fixtures, type Json } from './sync-fixtures.ts';

const listUrl = (userId: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/account_data/m.ignored_user_list`;

async function ignore(client: ClientHarness, user: TestAccount, ...userIds: string[]) {
  const body = { ignored_users: Object.fromEntries(userIds.map((id) => [id, {}])) };
  const put = await client.call('PUT', listUrl(user.userId), { token: user.accessToken, body });
  assert.equal(put.status, 200, JSON.stringify(put.body));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: an ignored_user_list of the wrong shape is refused and stores nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const before = await snapshotTables(client.db, ['account_data']);
      for (const body of [
        {},
        { ignored_users: ['@bob:example.org'] },
        { ignored_users: '@bob:example.org' },
        { ignored_users: { '@bob:example.org': true } },
        { ignored_users: { '@bob:example.org': [] } },
      ]) {
        assertError(
          await client.call('PUT', listUrl(alice.userId), { token, body }),
          400,
          'M_BAD_JSON',
        );
      }
      assert.equal(await snapshotTables(client.db, ['account_data']), before);
      // Room account data of that type is not the list, and is not checked.
      const inRoom = `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/rooms/${encodeURIComponent('!r:x')}/account_data/m.ignored_user_list`;
      assert.equal((await client.call('PUT', inRoom, { token, body: {} })).status, 200);
      await ignore(client, alice, '@bob:example.org');
      const read = await client.call('GET', listUrl(alice.userId), { token });
      assert.deepEqual(read.body, { ignored_users: { '@bob:example.org': {} } });
    }));

  test(`${kind}: events of ignored users are not sent, state events and own events are`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await f.createRoom(alice, {
        preset: 'public_chat',
        power_level_content_override: { events: { 'm.room.topic': 0 } },
      });
      await f.membership(bob, roomId, 'join');
      await f.membership(carol, roomId, 'join');
      // Alice also lists herself: that hides nothing of her own.
      await ignore(client, alice, bob.userId, alice.userId);
      const start = await f.sync(alice);

      await f.send(carol, roomId, 'carol 1');
      const fromAlice = await f.send(alice, roomId, 'alice 1');
      await f.send(bob, roomId, 'bob 1');
      const bobTopic = await f.setState(bob, roomId, 'm.room.topic', '', { topic: 'by bob' });
      const carolMiddle = await f.send(carol, roomId, 'carol 2');
      await f.send(bob, roomId, 'bob 2');
      await f.send(bob, roomId, 'bob 3');

      const next = await f.sync(alice, { since: start.next_batch });
      assert.deepEqual(bodies(next, roomId), ['carol 1', 'alice 1', 'carol 2']);
      const ids = next.rooms.join[roomId].timeline.events.map((e: Json) => e.event_id);
      assert.ok(ids.includes(bobTopic), 'the ignored user’s state event is sent');
      assert.ok(ids.includes(fromAlice));
      // The limit counts only what is sent: bob's trailing messages do not crowd carol out.
      const limited = await f.sync(alice, {
        since: start.next_batch,
        filter: { room: { timeline: { limit: 2 } } },
      });
      const last2 = limited.rooms.join[roomId].timeline;
      assert.deepEqual(
        last2.events.map((e: Json) => e.event_id),
        [bobTopic, carolMiddle],
      );
      assert.equal(last2.limited, true);
      // Others still see everything.
      assert.deepEqual(bodies(await f.sync(carol, { since: start.next_batch }), roomId), [
        'carol 1',
        'alice 1',
        'bob 1',
        'carol 2',
        'bob 2',
        'bob 3',
      ]);

      // /messages and /context.
      const messages = await client.call('GET', `${roomPath(roomId)}/messages?dir=b&limit=4`, {
        token: alice.accessToken,
      });
      assert.deepEqual(
        messages.body.chunk.map((e: Json) => e.content.body ?? e.type),
        ['carol 2', 'm.room.topic', 'alice 1', 'carol 1'],
      );
      const context = await client.call(
        'GET',
        `${roomPath(roomId)}/context/${encodeURIComponent(carolMiddle)}?limit=4`,
        { token: alice.accessToken },
      );
      assert.deepEqual(
        context.body.events_before.map((e: Json) => e.content.body ?? e.type),
        ['m.room.topic', 'alice 1'],
      );
      assert.deepEqual(context.body.events_after, []);

      // Un-ignoring applies from the next request; what was missed is not sent again.
      await ignore(client, alice);
      const afterChange = await f.sync(alice, { since: next.next_batch });
      assert.deepEqual(bodies(afterChange, roomId), []);
      await f.send(bob, roomId, 'bob 4');
      assert.deepEqual(bodies(await f.sync(alice, { since: afterChange.next_batch }), roomId), [
        'bob 4',
      ]);
    }));

  test(`${kind}: invites from ignored users are not sent`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      await ignore(client, alice, bob.userId);
      const start = await f.sync(alice);
      const fromBob = await f.createRoom(bob, { invite: [alice.userId] });
      const fromCarol = await f.createRoom(carol, { invite: [alice.userId] });

      const next = await f.sync(alice, { since: start.next_batch });
      assert.deepEqual(Object.keys(next.rooms.invite), [fromCarol]);
      const initial = await f.sync(alice);
      assert.deepEqual(Object.keys(initial.rooms.invite), [fromCarol]);
      // Not ignored any more: the invite shows in a fresh sync.
      await ignore(client, alice);
      const fresh = await f.sync(alice);
      assert.deepEqual(Object.keys(fresh.rooms.invite).sort(), [fromBob, fromCarol].sort());
    }));
}
