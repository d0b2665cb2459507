// Unread notification counts in /sync on both databases: push rules run when an event is stored
// (rooms/record-push-actions.ts), /sync counts what is after the user's read receipt
// (push/unread-counts-source.ts). Every response is checked against the spec's schemas.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ClientHarness,
  TestAccount,
} from '../../../conformance-tests/support/client-harness.ts';
import { withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';
import { fixtures, type Json } from './sync-fixtures.ts';

const THREADED = { room: { timeline: { unread_thread_notifications: true } } };

function helpers(client: ClientHarness) {
  const f = fixtures(client);
  const rooms = roomClient(client);
  return {
    ...f,
    rooms,
    text: (as: TestAccount, roomId: string, body: string, extra: Record<string, unknown> = {}) =>
      rooms.send(as, roomId, { msgtype: 'm.text', body, ...extra }),
    async receipt(as: TestAccount, roomId: string, type: string, eventId: string, body = {}) {
      const result = await client.call(
        'POST',
        `${roomPath(roomId)}/receipt/${type}/${encodeURIComponent(eventId)}`,
        { token: as.accessToken, body },
      );
      assert.equal(result.status, 200, JSON.stringify(result.body));
    },
    /** The counts of a room in a sync, or undefined when the room is not in it. */
    async counts(as: TestAccount, roomId: string, params = {}) {
      const sync: Json = await f.sync(as, params);
      return sync.rooms.join[roomId]?.unread_notifications as Json;
    },
  };
}

const counts = (notification_count: number, highlight_count = 0) => ({
  notification_count,
  highlight_count,
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a group room: messages notify, mentions highlight, receipts clear`, (t) =>
    withClient(t, kind, async (client) => {
      const h = helpers(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await h.createRoom(alice, { preset: 'public_chat' });
      await h.membership(bob, roomId, 'join');
      await h.membership(carol, roomId, 'join');
      await h.setState(alice, roomId, 'm.room.topic', '', { topic: 'state does not notify' });
      assert.deepEqual(await h.counts(carol, roomId), counts(0), 'joins and topics do not notify');

      const start = await h.sync(alice);
      await h.text(bob, roomId, 'hello all');
      const mention = await h.text(bob, roomId, 'hi alice', {
        'm.mentions': { user_ids: [alice.userId] },
      });
      await h.rooms.send(bob, roomId, { msgtype: 'm.notice', body: 'a bot speaks' });
      await h.rooms.send(
        bob,
        roomId,
        {
          'm.relates_to': { rel_type: 'm.annotation', event_id: mention, key: '👍' },
        },
        'm.reaction',
      );
      const next = await h.sync(alice, { since: start.next_batch });
      assert.deepEqual(next.rooms.join[roomId].unread_notifications, counts(2, 1));
      assert.equal(next.rooms.join[roomId].unread_thread_notifications, undefined);
      assert.deepEqual(await h.counts(carol, roomId), counts(2), 'carol: notified, no highlight');
      assert.deepEqual(await h.counts(bob, roomId), counts(0), 'never for your own events');

      // A receipt on the mention: what is after it still counts. The receipt brings the room
      // into the incremental sync with its new counts.
      await h.receipt(alice, roomId, 'm.read', mention);
      const afterReceipt = await h.sync(alice, { since: next.next_batch });
      assert.deepEqual(afterReceipt.rooms.join[roomId].unread_notifications, counts(0));
      const late = await h.text(carol, roomId, 'one more');
      assert.deepEqual(await h.counts(alice, roomId), counts(1));
      // A private receipt clears too.
      await h.receipt(alice, roomId, 'm.read.private', late);
      assert.deepEqual(await h.counts(alice, roomId), counts(0));
      // What a receipt covers is pruned, so the table does not grow with read notifications.
      const aliceRows = await client.db
        .selectFrom('event_push_actions')
        .select('event_id')
        .where('user_id', '=', alice.userId)
        .where('room_id', '=', roomId)
        .execute();
      assert.deepEqual(aliceRows, []);
      assert.deepEqual(
        await h.counts(carol, roomId),
        counts(0),
        "carol's own message read up to it",
      );
      assert.deepEqual(await h.counts(bob, roomId), counts(1), 'bob has not read carol');

      // A redacted message no longer counts.
      const oops = await h.text(carol, roomId, 'oops', {
        'm.mentions': { user_ids: [alice.userId] },
      });
      assert.deepEqual(await h.counts(alice, roomId), counts(1, 1));
      await h.rooms.redact(carol, roomId, oops);
      assert.deepEqual(await h.counts(alice, roomId), counts(0));
    }));

  test(`${kind}: a one-to-one room, @room and the sender's own message`, (t) =>
    withClient(t, kind, async (client) => {
      const h = helpers(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await h.createRoom(alice, { preset: 'private_chat', invite: [bob.userId] });
      await h.membership(bob, roomId, 'join');
      await h.text(alice, roomId, 'hi bob');
      await h.text(alice, roomId, 'are you there?');
      assert.deepEqual(await h.counts(bob, roomId), counts(2), '.m.rule.room_one_to_one');
      await h.rooms.send(
        alice,
        roomId,
        { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' },
        'm.room.encrypted',
      );
      assert.deepEqual(await h.counts(bob, roomId), counts(3), 'encrypted events notify');

      // Sending counts as reading up to one's own message.
      await h.text(bob, roomId, 'yes');
      assert.deepEqual(await h.counts(bob, roomId), counts(0));

      // @room needs the `notifications.room` power level (50 unless set): alice created the (v12)
      // room and so outranks every level, bob has 0.
      await h.text(bob, roomId, '@room lunch', { 'm.mentions': { room: true } });
      assert.deepEqual(await h.counts(alice, roomId), counts(2, 0), "'yes' and '@room lunch'");
      await h.text(alice, roomId, '@room dinner', { 'm.mentions': { room: true } });
      assert.deepEqual(await h.counts(bob, roomId), counts(1, 1));
      await h.setState(alice, roomId, 'm.room.power_levels', '', {
        notifications: { room: 0 },
      });
      await h.text(bob, roomId, '@room again', { 'm.mentions': { room: true } });
      assert.deepEqual(await h.counts(alice, roomId), counts(1, 1));
    }));

  test(`${kind}: threads are counted apart with unread_thread_notifications`, (t) =>
    withClient(t, kind, async (client) => {
      const h = helpers(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await h.createRoom(alice, { preset: 'public_chat' });
      await h.membership(bob, roomId, 'join');
      await h.membership(carol, roomId, 'join');
      const root = await h.text(alice, roomId, 'thread root');
      const inThread = { 'm.relates_to': { rel_type: 'm.thread', event_id: root } };
      const first = await h.text(bob, roomId, 'reply 1', inThread);
      const second = await h.text(bob, roomId, 'reply 2', {
        ...inThread,
        'm.mentions': { user_ids: [alice.userId] },
      });
      const main = await h.text(bob, roomId, 'in the main timeline');

      assert.deepEqual(await h.counts(alice, roomId), counts(3, 1), 'all in one without the flag');
      const threaded = async () => {
        const sync: Json = await h.sync(alice, { filter: THREADED });
        const room = sync.rooms.join[roomId];
        return { main: room.unread_notifications, threads: room.unread_thread_notifications };
      };
      assert.deepEqual(await threaded(), {
        main: counts(1),
        threads: { [root]: counts(2, 1) },
      });

      // A threaded receipt clears its thread only, up to the event it names.
      await h.receipt(alice, roomId, 'm.read', first, { thread_id: root });
      assert.deepEqual(await threaded(), { main: counts(1), threads: { [root]: counts(1, 1) } });
      await h.receipt(alice, roomId, 'm.read', main, { thread_id: 'main' });
      assert.deepEqual(await threaded(), { main: counts(0), threads: { [root]: counts(1, 1) } });
      assert.deepEqual(await h.counts(alice, roomId), counts(1, 1));
      await h.receipt(alice, roomId, 'm.read', second, { thread_id: root });
      assert.deepEqual(await threaded(), { main: counts(0), threads: {} });

      // An unthreaded receipt clears every thread up to its event.
      const third = await h.text(bob, roomId, 'reply 3', inThread);
      await h.text(bob, roomId, 'main 2');
      assert.deepEqual(await threaded(), { main: counts(1), threads: { [root]: counts(1) } });
      await h.receipt(alice, roomId, 'm.read', third);
      assert.deepEqual(await threaded(), { main: counts(1), threads: {} });
      // Only the unread main-timeline message is left of alice's rows.
      const left = await client.db
        .selectFrom('event_push_actions')
        .select(['thread_id'])
        .where('user_id', '=', alice.userId)
        .where('room_id', '=', roomId)
        .execute();
      assert.deepEqual(left, [{ thread_id: null }]);

      // A reaction to a thread reply is in the thread (alice asks to be told of reactions).
      const rule = await client.call('PUT', '/_matrix/client/v3/pushrules/global/override/r', {
        token: alice.accessToken,
        body: {
          conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.reaction' }],
          actions: ['notify'],
        },
      });
      assert.equal(rule.status, 200, JSON.stringify(rule.body));
      const annotation = (eventId: string) => ({
        'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key: '👍' },
      });
      await h.rooms.send(bob, roomId, annotation(third), 'm.reaction');
      assert.deepEqual(await threaded(), { main: counts(1), threads: { [root]: counts(1) } });
      await h.rooms.send(bob, roomId, annotation(root), 'm.reaction');
      assert.deepEqual(await threaded(), { main: counts(2), threads: { [root]: counts(1) } });

      // Replying in the thread reads it.
      await h.text(bob, roomId, 'reply 4', inThread);
      await h.text(alice, roomId, 'my reply', inThread);
      assert.deepEqual(await threaded(), { main: counts(2), threads: {} });
      assert.deepEqual(await h.counts(carol, roomId), counts(8, 0));
    }));

  test(`${kind}: push rules from account data; members count from their join`, (t) =>
    withClient(t, kind, async (client) => {
      const h = helpers(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await h.createRoom(alice, { preset: 'public_chat' });
      await h.membership(bob, roomId, 'join');
      await h.membership(carol, roomId, 'join');

      // Alice mutes the room with a room rule; mentions (an override) still reach her.
      const muted = await client.call(
        'PUT',
        `/_matrix/client/v3/pushrules/global/room/${encodeURIComponent(roomId)}`,
        { token: alice.accessToken, body: { actions: [] } },
      );
      assert.equal(muted.status, 200, JSON.stringify(muted.body));
      const keyword = await client.call('PUT', '/_matrix/client/v3/pushrules/global/content/tea', {
        token: carol.accessToken,
        body: { pattern: 'tea', actions: ['notify', { set_tweak: 'highlight' }] },
      });
      assert.equal(keyword.status, 200, JSON.stringify(keyword.body));
      await h.text(bob, roomId, 'time for TEA?');
      assert.deepEqual(await h.counts(alice, roomId), counts(0), 'muted');
      assert.deepEqual(await h.counts(carol, roomId), counts(1, 1), "carol's keyword");
      await h.text(bob, roomId, 'alice!', { 'm.mentions': { user_ids: [alice.userId] } });
      assert.deepEqual(await h.counts(alice, roomId), counts(1, 1));

      // A rule of bob's own on his display name in the room (from his member event).
      await h.setState(bob, roomId, 'm.room.member', bob.userId, {
        membership: 'join',
        displayname: 'Bobby Tables',
      });
      const byName = await client.call(
        'PUT',
        '/_matrix/client/v3/pushrules/global/override/my-name',
        {
          token: bob.accessToken,
          body: {
            conditions: [{ kind: 'contains_display_name' }],
            actions: ['notify', { set_tweak: 'highlight' }],
          },
        },
      );
      assert.equal(byName.status, 200, JSON.stringify(byName.body));
      await h.text(carol, roomId, 'ask bobby tables');
      await h.text(carol, roomId, 'ask bobby');
      assert.deepEqual(await h.counts(bob, roomId), counts(2, 1), 'one name match of two');

      // Dave's count starts at his join: what came before is not his to read.
      const dave = await client.newAccount('dave');
      await h.membership(dave, roomId, 'join');
      assert.deepEqual(await h.counts(dave, roomId), counts(0));
      await h.membership(carol, roomId, 'leave');
      await h.text(bob, roomId, 'after carol left');
      assert.deepEqual(await h.counts(dave, roomId), counts(1));
      await h.membership(carol, roomId, 'join');
      assert.deepEqual(await h.counts(carol, roomId), counts(0), 'rejoining reads the past');
    }));
}
