// GET /sync through the client app on both databases, every response checked against the spec:
// initial and incremental syncs, limited timelines and their state, full_state, transaction ids,
// long-polls woken by another user or timing out, and errors.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { parsePaginationToken } from '../../sync/pagination-token.ts';
import { bodies, fixtures, type Json, stateKeys } from './sync-fixtures.ts';

const BASE_STATE = [
  'm.room.create|',
  'm.room.history_visibility|',
  'm.room.join_rules|',
  'm.room.member|@alice:example.org',
  'm.room.member|@bob:example.org',
  'm.room.name|',
  'm.room.power_levels|',
];

for (const kind of DATABASE_KINDS) {
  test(`${kind}: initial and incremental syncs, limited timelines, state deltas`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await f.createRoom(alice, { name: 'Lobby', preset: 'public_chat' });
      const positionOf = async (eventId: string) =>
        (
          await client.db
            .selectFrom('events')
            .select('stream_ordering')
            .where('event_id', '=', eventId)
            .executeTakeFirstOrThrow()
        ).stream_ordering;

      const initial = await f.sync(alice);
      assert.match(initial.next_batch, /^s\d+/);
      const room = initial.rooms.join[roomId];
      assert.deepEqual(
        room.timeline.events.map((e: Json) => e.type),
        [
          'm.room.create',
          'm.room.member',
          'm.room.power_levels',
          'm.room.join_rules',
          'm.room.history_visibility',
          'm.room.name',
        ],
      );
      assert.equal(room.timeline.limited, false);
      assert.deepEqual(room.state.events, [], 'the whole state is in the timeline');
      assert.equal(room.timeline.events[0].room_id, undefined, 'no room_id under rooms');
      assert.deepEqual(room.summary, { 'm.joined_member_count': 1, 'm.invited_member_count': 0 });
      assert.deepEqual(room.unread_notifications, { notification_count: 0, highlight_count: 0 });
      const bobInitial = await f.sync(bob);
      assert.deepEqual(bobInitial.rooms.join, {}, 'bob is not in the room');

      await f.membership(bob, roomId, 'join');
      const hello = await f.send(alice, roomId, 'hello', 'txn-hello');
      const incremental = await f.sync(alice, { since: initial.next_batch });
      const delta = incremental.rooms.join[roomId];
      assert.deepEqual(
        delta.timeline.events.map((e: Json) => `${e.type}|${e.state_key ?? e.content.body}`),
        ['m.room.member|@bob:example.org', 'm.room.message|hello'],
      );
      assert.equal(delta.timeline.limited, false);
      assert.deepEqual(delta.state.events, []);
      assert.equal(delta.summary['m.joined_member_count'], 2, 'membership moved: a new summary');
      assert.equal(delta.timeline.events[1].unsigned.transaction_id, 'txn-hello');
      assert.equal(
        parsePaginationToken(delta.timeline.prev_batch),
        (await positionOf(delta.timeline.events[0].event_id)) - 1,
      );
      const bobJoined = await f.sync(bob, { since: bobInitial.next_batch });
      const fromBob = bobJoined.rooms.join[roomId];
      assert.equal(
        fromBob.timeline.events.find((e: Json) => e.event_id === hello).unsigned.transaction_id,
        undefined,
        'transaction ids are for the sending device only',
      );
      assert.deepEqual(
        stateKeys(
          [...fromBob.state.events, ...fromBob.timeline.events].filter(
            (e) => e.state_key !== undefined,
          ),
        ),
        BASE_STATE,
        'newly joined: state and timeline cover the whole room',
      );

      const quiet = await f.sync(alice, { since: incremental.next_batch });
      assert.deepEqual(quiet.rooms.join, {});
      assert.equal(quiet.next_batch, incremental.next_batch, 'nothing new, same token');

      // A gap: the topic changes, then more messages than the timeline holds.
      const topic = await f.setState(alice, roomId, 'm.room.topic', '', { topic: 'news' });
      for (let i = 0; i < 12; i++) await f.send(bob, roomId, `m${i}`);
      const gappy = await f.sync(alice, { since: quiet.next_batch });
      const gap = gappy.rooms.join[roomId];
      assert.deepEqual(bodies(gappy, roomId), [
        'm2',
        'm3',
        'm4',
        'm5',
        'm6',
        'm7',
        'm8',
        'm9',
        'm10',
        'm11',
      ]);
      assert.equal(gap.timeline.limited, true);
      assert.deepEqual(
        gap.state.events.map((e: Json) => e.event_id),
        [topic],
        'state of the gap',
      );
      assert.equal(
        parsePaginationToken(gap.timeline.prev_batch),
        (await positionOf(gap.timeline.events[0].event_id)) - 1,
      );
      assert.equal(gap.summary, undefined, 'membership did not move');

      // An initial sync with a short timeline: the full state at its start.
      const short = await f.sync(alice, { filter: { room: { timeline: { limit: 2 } } } });
      assert.deepEqual(bodies(short, roomId), ['m10', 'm11']);
      assert.equal(short.rooms.join[roomId].timeline.limited, true);
      assert.deepEqual(stateKeys(short.rooms.join[roomId].state.events), [
        ...BASE_STATE,
        'm.room.topic|',
      ]);

      // full_state with a token: the whole state, the timeline still from the token.
      await f.send(alice, roomId, 'last');
      const full = await f.sync(alice, { since: gappy.next_batch, full_state: true });
      assert.deepEqual(bodies(full, roomId), ['last']);
      assert.deepEqual(stateKeys(full.rooms.join[roomId].state.events), [
        ...BASE_STATE,
        'm.room.topic|',
      ]);
    }));

  test(`${kind}: long-polls wake on news for the user and time out otherwise`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await f.createRoom(alice, { preset: 'public_chat' });
      await f.membership(bob, roomId, 'join');
      const { next_batch: since } = await f.sync(alice);
      const { notifier } = client.ctx.sync;
      const waitUntilWaiting = async (count: number) => {
        while (notifier.waiting < count) await new Promise((resolve) => setTimeout(resolve, 5));
      };

      let started = performance.now();
      const woken = f.sync(alice, { since, timeout: 20_000 });
      await waitUntilWaiting(1);
      await f.send(bob, roomId, 'wake up');
      const news = await woken;
      assert.ok(performance.now() - started < 10_000, 'woken, not timed out');
      assert.deepEqual(bodies(news, roomId), ['wake up']);
      assert.equal(notifier.waiting, 0);

      // Carol's own room does not concern alice: her wait runs to its timeout.
      const otherRoom = await f.createRoom(carol, {});
      started = performance.now();
      const timedOut = f.sync(alice, { since: news.next_batch, timeout: 400 });
      await waitUntilWaiting(1);
      await f.send(carol, otherRoom, 'not for alice');
      const empty = await timedOut;
      assert.ok(performance.now() - started >= 380, 'waited for the timeout');
      assert.deepEqual(empty.rooms, { join: {}, invite: {}, knock: {}, leave: {} });
      assert.deepEqual(empty.account_data, { events: [] });
      // The token may move past events that do not concern alice; once all is quiet it stays.
      const caughtUp = await f.sync(alice, { since: empty.next_batch, timeout: 50 });
      assert.deepEqual(caughtUp.rooms.join, {});
      const quietAgain = await f.sync(alice, { since: caughtUp.next_batch, timeout: 50 });
      assert.equal(quietAgain.next_batch, caughtUp.next_batch, 'the same position once quiet');

      // An invite wakes alice although she is not in carol's room.
      const invited = f.sync(alice, { since: quietAgain.next_batch, timeout: 20_000 });
      await waitUntilWaiting(1);
      await f.membership(carol, otherRoom, 'invite', { user_id: alice.userId });
      const invite = (await invited).rooms.invite[otherRoom];
      const types = invite.invite_state.events.map((e: Json) => e.type);
      assert.ok(types.includes('m.room.create') && types.includes('m.room.join_rules'));
      assert.equal(invite.invite_state.events.at(-1).content.membership, 'invite');

      // Ephemeral sources wake and fill syncs too: bob starts typing.
      const { next_batch: beforeTyping } = await f.sync(alice, { since: quietAgain.next_batch });
      const typingSync = f.sync(alice, { since: beforeTyping, timeout: 20_000 });
      await waitUntilWaiting(1);
      const typing = await client.call(
        'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(bob.userId)}`,
        { token: bob.accessToken, body: { typing: true, timeout: 30_000 } },
      );
      assert.equal(typing.status, 200);
      const ephemeral = (await typingSync).rooms.join[roomId].ephemeral.events;
      assert.deepEqual(ephemeral, [{ type: 'm.typing', content: { user_ids: [bob.userId] } }]);
    }));

  test(`${kind}: bad parameters are refused`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const get = (url: string, token = alice.accessToken) =>
        client.call('GET', url, { token, unchecked: false });
      assertError(await client.call('GET', f.syncUrl()), 401, 'M_MISSING_TOKEN');
      for (const since of ['nope', 's1_a', 't12-3']) {
        assertError(await get(f.syncUrl({ since })), 400, 'M_INVALID_PARAM');
      }
      assertError(await get(f.syncUrl({ filter: '12345' })), 400, 'M_INVALID_PARAM');
      assertError(await get(f.syncUrl({ filter: '{nope' })), 400, 'M_NOT_JSON');
      assertError(
        await get(f.syncUrl({ filter: { room: { timeline: { limit: 'x' } } } })),
        400,
        'M_BAD_JSON',
      );
      assertError(await get('/_matrix/client/v3/sync?set_presence=busy'), 400, 'M_INVALID_PARAM');
      assertError(await get('/_matrix/client/v3/sync?timeout=soon'), 400, 'M_INVALID_PARAM');
      const accepted = await get('/_matrix/client/v3/sync?set_presence=offline&timeout=-5');
      assert.equal(accepted.status, 200);
    }));
}
