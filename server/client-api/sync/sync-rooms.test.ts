// GET /sync on both databases: the invite, join and leave sections over a membership's life,
// lazy-loaded members, filters (inline and by id) and account data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { bodies, fixtures, type Json, stateKeys } from './sync-fixtures.ts';

const members = (events: Json[]) =>
  events
    .filter((e) => e.type === 'm.room.member')
    .map((e) => e.state_key)
    .sort();

for (const kind of DATABASE_KINDS) {
  test(`${kind}: invite, join and leave sections`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await f.createRoom(alice, { name: 'Club' });
      await f.send(alice, roomId, 'before bob');
      const start = await f.sync(bob);
      assert.deepEqual(start.rooms.invite, {});

      await f.membership(alice, roomId, 'invite', { user_id: bob.userId });
      const invited = await f.sync(bob, { since: start.next_batch });
      const stripped = invited.rooms.invite[roomId].invite_state.events;
      assert.deepEqual(
        stripped.map((e: Json) => e.type),
        ['m.room.create', 'm.room.member', 'm.room.join_rules', 'm.room.name', 'm.room.member'],
      );
      assert.equal(stripped[1].state_key, alice.userId, 'the inviter');
      // The create event comes in full (spec v1.16, MSC4311), other state stripped.
      assert.equal(typeof stripped[0].event_id, 'string');
      assert.equal(typeof stripped[0].origin_server_ts, 'number');
      assert.equal(stripped[0].room_id, undefined);
      assert.equal(stripped[2].event_id, undefined);
      assert.equal(stripped.at(-1).state_key, bob.userId, 'the invite itself');
      const again = await f.sync(bob, { since: invited.next_batch });
      assert.deepEqual(again.rooms.invite, {}, 'an invite is announced once');
      const initialWithInvite = await f.sync(bob);
      assert.ok(initialWithInvite.rooms.invite[roomId], 'and in every initial sync');

      await f.membership(bob, roomId, 'join');
      const joined = await f.sync(bob, { since: again.next_batch });
      assert.deepEqual(joined.rooms.invite, {});
      const room = joined.rooms.join[roomId];
      assert.ok(bodies(joined, roomId).includes('before bob'), 'shared history is visible');
      assert.deepEqual(room.summary, { 'm.joined_member_count': 2, 'm.invited_member_count': 0 });

      await f.send(alice, roomId, 'while bob is here');
      await f.membership(bob, roomId, 'leave');
      await f.send(alice, roomId, 'after bob left');
      const left = await f.sync(bob, { since: joined.next_batch });
      assert.deepEqual(left.rooms.join, {});
      const leave = left.rooms.leave[roomId];
      assert.deepEqual(
        leave.timeline.events.map((e: Json) => e.content.body ?? e.content.membership),
        ['while bob is here', 'leave'],
        'the timeline stops at the leave',
      );
      const after = await f.sync(bob, { since: left.next_batch });
      assert.deepEqual(after.rooms.leave, {}, 'a leave is announced once');
      assert.deepEqual((await f.sync(bob)).rooms.leave, {}, 'left rooms need include_leave');
      const archived = await f.sync(bob, { filter: { room: { include_leave: true } } });
      assert.equal(archived.rooms.leave[roomId].timeline.events.at(-1).content.membership, 'leave');

      // A rejected invite: the leave section holds the user's own leave and nothing of the room.
      const secret = await f.createRoom(alice, { name: 'Secret', invite: [bob.userId] });
      await f.send(alice, secret, 'private');
      const beforeReject = await f.sync(bob, { since: after.next_batch });
      assert.ok(beforeReject.rooms.invite[secret]);
      await f.membership(bob, secret, 'leave');
      const rejected = await f.sync(bob, { since: beforeReject.next_batch });
      const rejectedRoom = rejected.rooms.leave[secret];
      assert.deepEqual(
        rejectedRoom.timeline.events.map((e: Json) => e.content.membership),
        ['leave'],
      );
      assert.deepEqual(rejectedRoom.state.events, []);

      // A knock, then a ban: the knock section, then the leave section.
      const door = await f.createRoom(alice, { name: 'Door', room_version: '11' });
      await f.setState(alice, door, 'm.room.join_rules', '', { join_rule: 'knock' });
      const beforeKnock = await f.sync(bob, { since: rejected.next_batch });
      const knock = await client.call(
        'POST',
        `/_matrix/client/v3/knock/${encodeURIComponent(door)}`,
        {
          token: bob.accessToken,
          body: {},
        },
      );
      assert.equal(knock.status, 200);
      const knocked = await f.sync(bob, { since: beforeKnock.next_batch });
      const knockState = knocked.rooms.knock[door].knock_state.events;
      assert.equal(
        knockState.find((e: Json) => e.type === 'm.room.join_rules').content.join_rule,
        'knock',
      );
      assert.equal(knockState.at(-1).content.membership, 'knock');
      await f.membership(alice, door, 'ban', { user_id: bob.userId });
      const banned = await f.sync(bob, { since: knocked.next_batch });
      assert.deepEqual(banned.rooms.knock, {});
      assert.deepEqual(
        banned.rooms.leave[door].timeline.events.map((e: Json) => e.content.membership),
        ['ban'],
        'never joined: only the ban',
      );
    }));

  test(`${kind}: lazy-loaded members, with and without redundant ones`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const dan = await client.newAccount('dan');
      const roomId = await f.createRoom(alice, { name: 'Big', preset: 'public_chat' });
      for (const user of [bob, carol, dan]) await f.membership(user, roomId, 'join');
      for (let i = 0; i < 3; i++) await f.send(carol, roomId, `c${i}`);
      const lazy = { room: { timeline: { limit: 3 }, state: { lazy_load_members: true } } };

      const initial = await f.sync(bob, { filter: lazy });
      const room = initial.rooms.join[roomId];
      assert.deepEqual(bodies(initial, roomId), ['c0', 'c1', 'c2']);
      assert.deepEqual(members(room.state.events), [bob.userId, carol.userId], 'sender and self');
      assert.ok(room.state.events.some((e: Json) => e.type === 'm.room.power_levels'));
      const eager = await f.sync(bob, { filter: { room: { timeline: { limit: 3 } } } });
      assert.deepEqual(members(eager.rooms.join[roomId].state.events), [
        alice.userId,
        bob.userId,
        carol.userId,
        dan.userId,
      ]);

      await f.send(alice, roomId, 'a0');
      await f.send(carol, roomId, 'c3');
      const next = await f.sync(bob, { filter: lazy, since: initial.next_batch });
      assert.deepEqual(bodies(next, roomId), ['a0', 'c3']);
      assert.deepEqual(
        members(next.rooms.join[roomId].state.events),
        [alice.userId],
        'carol was sent',
      );
      await f.send(alice, roomId, 'a1');
      const third = await f.sync(bob, { filter: lazy, since: next.next_batch });
      assert.deepEqual(third.rooms.join[roomId].state.events, [], 'alice was sent too');
      // A retried request from the older token gets what its lost response carried.
      const retried = await f.sync(bob, { filter: lazy, since: initial.next_batch });
      assert.deepEqual(members(retried.rooms.join[roomId].state.events), [alice.userId]);

      const redundant = {
        room: { state: { lazy_load_members: true, include_redundant_members: true } },
      };
      await f.send(alice, roomId, 'a2');
      const withRedundant = await f.sync(bob, { filter: redundant, since: third.next_batch });
      assert.deepEqual(members(withRedundant.rooms.join[roomId].state.events), [alice.userId]);

      // A gap: dan's display name change in it is sent although dan wrote nothing.
      await f.setState(dan, roomId, 'm.room.member', dan.userId, {
        membership: 'join',
        displayname: 'D',
      });
      for (let i = 0; i < 4; i++) await f.send(carol, roomId, `late${i}`);
      const gap = await f.sync(bob, { filter: lazy, since: withRedundant.next_batch });
      assert.equal(gap.rooms.join[roomId].timeline.limited, true);
      assert.deepEqual(members(gap.rooms.join[roomId].state.events), [dan.userId]);
    }));

  test(`${kind}: filters inline and by id, event_fields, account data`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomA = await f.createRoom(alice, { name: 'A', preset: 'public_chat' });
      const roomB = await f.createRoom(alice, { name: 'B' });
      await f.membership(bob, roomA, 'join');
      const start = await f.sync(alice);
      await f.setState(alice, roomA, 'm.room.topic', '', { topic: 't' });
      await f.send(alice, roomA, 'from alice');
      await f.send(bob, roomA, 'from bob');
      await f.send(alice, roomB, 'in b');

      const onlyMessages = await f.sync(alice, {
        since: start.next_batch,
        filter: { room: { timeline: { types: ['m.room.m*'], not_senders: [bob.userId] } } },
      });
      assert.deepEqual(bodies(onlyMessages, roomA), ['from alice']);
      assert.deepEqual(
        onlyMessages.rooms.join[roomA].timeline.events.map((e: Json) => e.type),
        ['m.room.message'],
      );
      assert.deepEqual(
        stateKeys(onlyMessages.rooms.join[roomA].state.events),
        ['m.room.topic|'],
        'a state event the filter left out before the timeline is in the state',
      );
      const notB = await f.sync(alice, {
        since: start.next_batch,
        filter: { room: { not_rooms: [roomB] } },
      });
      assert.deepEqual(Object.keys(notB.rooms.join), [roomA]);

      const created = await client.call('POST', `/_matrix/client/v3/user/${alice.userId}/filter`, {
        token: alice.accessToken,
        body: { room: { rooms: [roomB] }, event_fields: ['type', 'content.body', 'event_id'] },
      });
      // event_fields drops fields the spec's schema requires, as the filter asks: not checked.
      const byId = (
        await client.call(
          'GET',
          f.syncUrl({ since: start.next_batch, filter: created.body.filter_id }),
          {
            token: alice.accessToken,
            unchecked: true,
          },
        )
      ).body;
      assert.deepEqual(Object.keys(byId.rooms.join), [roomB]);
      assert.deepEqual(Object.keys(byId.rooms.join[roomB].timeline.events[0]).sort(), [
        'content',
        'event_id',
        'type',
      ]);
      assert.deepEqual(byId.rooms.join[roomB].timeline.events[0].content, { body: 'in b' });

      const put = (path: string, body: object) =>
        client.call('PUT', `/_matrix/client/v3/user/${alice.userId}/${path}`, {
          token: alice.accessToken,
          body,
        });
      const quiet = await f.sync(alice, { since: onlyMessages.next_batch });
      await put('account_data/org.example.config', { x: 1 });
      await put(`rooms/${encodeURIComponent(roomB)}/account_data/m.tag`, { tags: { u: {} } });
      const withData = await f.sync(alice, { since: quiet.next_batch });
      assert.deepEqual(withData.account_data.events, [
        { type: 'org.example.config', content: { x: 1 } },
      ]);
      assert.deepEqual(withData.rooms.join[roomB].account_data.events, [
        { type: 'm.tag', content: { tags: { u: {} } } },
      ]);
      assert.deepEqual(withData.rooms.join[roomB].timeline.events, [], 'only account data changed');
      assert.match(withData.next_batch, /_a\d+(_|$)/);
      const once = await f.sync(alice, { since: withData.next_batch });
      assert.deepEqual(once.account_data.events, []);
      assert.deepEqual(once.rooms.join, {});
      const fresh = await f.sync(alice, { filter: { account_data: { not_types: ['m.*'] } } });
      assert.deepEqual(
        fresh.account_data.events.map((e: Json) => e.type),
        ['org.example.config'],
      );
    }));
}
