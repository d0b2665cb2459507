// Public joins through aliases, knocking, forgetting, the members lists, restricted joins and
// profile propagation, through the client app on both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  countEvents,
  createTestRoom,
  roomPath,
  stateContent,
  CLIENT_V3 as V3,
} from '../../../conformance-tests/support/room-fixtures.ts';
import { leaveAllRooms } from '../../rooms/leave-all-rooms.ts';
import { propagateProfileChange } from '../../rooms/propagate-profile-change.ts';
import { getMembership } from '../../storage/events.ts';
import { setProfileField } from '../../storage/profiles.ts';
import { isRoomForgotten, listForgottenRooms } from '../../storage/room-forgotten.ts';

const alias = (name: string) => encodeURIComponent(`#${name}:example.org`);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: join by alias, joined_rooms, forget after leaving, rejoin`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await createTestRoom(client, alice.accessToken, {
        preset: 'public_chat',
        room_alias_name: 'lobby',
      });
      const room = roomPath(roomId);
      const byAlias = await client.call('POST', `${V3}/join/${alias('lobby')}`, {
        token: bob.accessToken,
        body: {},
      });
      assert.deepEqual(byAlias, { status: 200, body: { room_id: roomId } });
      const byId = await client.call(
        'POST',
        `${V3}/join/${encodeURIComponent(roomId)}?via=example.org&server_name=example.org`,
        { token: bob.accessToken, body: {} },
      );
      assert.deepEqual(byId.body, { room_id: roomId });
      const joinedRooms = await client.call('GET', `${V3}/joined_rooms`, {
        token: bob.accessToken,
      });
      assert.deepEqual(joinedRooms.body, { joined_rooms: [roomId] });
      const none = await client.call('GET', `${V3}/joined_rooms`, { token: carol.accessToken });
      assert.deepEqual(none.body, { joined_rooms: [] });

      const join = (target: string) =>
        client.call('POST', `${V3}/join/${target}`, { token: carol.accessToken, body: {} });
      assertError(await join(alias('nope')), 404, 'M_NOT_FOUND');
      assertError(await join(encodeURIComponent('#lobby:elsewhere.org')), 404, 'M_NOT_FOUND');
      assertError(await join(encodeURIComponent('!gone:example.org')), 404, 'M_NOT_FOUND');
      assertError(await join('lobby'), 400, 'M_INVALID_PARAM');
      assertError(await join(encodeURIComponent('#bad alias')), 400, 'M_INVALID_PARAM');

      const forget = (token: string) => client.call('POST', `${room}/forget`, { token, body: {} });
      assertError(await forget(bob.accessToken), 400, 'M_UNKNOWN');
      assertError(await forget(carol.accessToken), 404, 'M_NOT_FOUND');
      await client.call('POST', `${room}/leave`, { token: bob.accessToken, body: {} });
      assert.deepEqual(await forget(bob.accessToken), { status: 200, body: {} });
      assert.ok(await isRoomForgotten(client.db, bob.userId, roomId));
      assert.deepEqual(await listForgottenRooms(client.db, bob.userId), [roomId]);
      await client.call('POST', `${room}/join`, { token: bob.accessToken, body: {} });
      assert.ok(!(await isRoomForgotten(client.db, bob.userId, roomId)), 'rejoining ends it');
      assert.deepEqual(await listForgottenRooms(client.db, bob.userId), []);
    }));

  test(`${kind}: knock, accept by invite, refuse by kick; knocks the rules refuse`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const carol = await client.newAccount('carol');
      const dave = await client.newAccount('dave');
      const roomId = await createTestRoom(client, alice.accessToken, {
        room_alias_name: 'door',
        initial_state: [{ type: 'm.room.join_rules', content: { join_rule: 'knock' } }],
      });
      const publicRoom = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const knock = (token: string, target: string, body: object = {}) =>
        client.call('POST', `${V3}/knock/${target}`, { token, body });

      const knocked = await knock(carol.accessToken, alias('door'), { reason: 'let me in' });
      assert.deepEqual(knocked, { status: 200, body: { room_id: roomId } });
      assert.deepEqual(await stateContent(client, roomId, 'm.room.member', carol.userId), {
        displayname: 'carol',
        membership: 'knock',
        reason: 'let me in',
      });
      assertError(
        await knock(carol.accessToken, encodeURIComponent(publicRoom)),
        403,
        'M_FORBIDDEN',
      );
      assertError(await knock(carol.accessToken, alias('none')), 404, 'M_NOT_FOUND');
      assertError(
        await knock(carol.accessToken, encodeURIComponent('!gone:example.org')),
        404,
        'M_NOT_FOUND',
      );
      assertError(await knock(carol.accessToken, alias('door'), { reason: 1 }), 400, 'M_BAD_JSON');

      const room = roomPath(roomId);
      await client.call('POST', `${room}/invite`, {
        token: alice.accessToken,
        body: { user_id: carol.userId },
      });
      await client.call('POST', `${room}/join`, { token: carol.accessToken, body: {} });
      assert.equal(await getMembership(client.db, roomId, carol.userId), 'join');
      assertError(await knock(carol.accessToken, alias('door')), 403, 'M_FORBIDDEN');

      await knock(dave.accessToken, alias('door'));
      const refused = await client.call('POST', `${room}/kick`, {
        token: alice.accessToken,
        body: { user_id: dave.userId, reason: 'not now' },
      });
      assert.equal(refused.status, 200);
      assert.equal(await getMembership(client.db, roomId, dave.userId), 'leave');
      // A retracted knock: knock again, then leave.
      await knock(dave.accessToken, alias('door'));
      await client.call('POST', `${room}/leave`, { token: dave.accessToken, body: {} });
      assert.equal(await getMembership(client.db, roomId, dave.userId), 'leave');
    }));

  test(`${kind}: members and joined_members, filtered, at a token, and at a member's leave`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const dave = await client.newAccount('dave');
      const eve = await client.newAccount('eve');
      const roomId = await createTestRoom(client, alice.accessToken, {
        preset: 'private_chat',
        invite: [bob.userId],
      });
      const room = roomPath(roomId);
      const as = (token: string) => ({ token, body: {} });
      await client.call('POST', `${room}/join`, as(bob.accessToken));
      const beforeCarol = await client.db
        .selectFrom('events')
        .select(client.db.fn.max('stream_ordering').as('n'))
        .executeTakeFirstOrThrow();
      await client.call('POST', `${room}/invite`, {
        token: alice.accessToken,
        body: { user_id: carol.userId },
      });

      const members = async (token: string, query = '') => {
        const result = await client.call('GET', `${room}/members${query}`, { token });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        return result.body.chunk.map(
          (e: { state_key: string; content: { membership: string } }) =>
            `${e.state_key.slice(1, e.state_key.indexOf(':'))}:${e.content.membership}`,
        );
      };
      assert.deepEqual(await members(alice.accessToken), [
        'alice:join',
        'bob:join',
        'carol:invite',
      ]);
      assert.deepEqual(await members(alice.accessToken, '?membership=join'), [
        'alice:join',
        'bob:join',
      ]);
      assert.deepEqual(await members(alice.accessToken, '?not_membership=join'), ['carol:invite']);
      // Both: an "or", as the spec words it.
      assert.deepEqual(await members(alice.accessToken, '?membership=invite&not_membership=join'), [
        'carol:invite',
      ]);
      assert.deepEqual(await members(alice.accessToken, `?at=s${beforeCarol.n}`), [
        'alice:join',
        'bob:join',
      ]);
      // A /sync token works as well as a pagination token.
      assert.deepEqual(await members(alice.accessToken, `?at=s${beforeCarol.n}_a1`), [
        'alice:join',
        'bob:join',
      ]);
      // A token from before the room's first event (the prev_batch of a timeline that starts at
      // the room's creation): the members the room began with.
      assert.deepEqual(await members(alice.accessToken, '?at=s0'), ['alice:join']);
      assert.deepEqual(
        await members(alice.accessToken, '?at=not-a-token'),
        ['alice:join', 'bob:join', 'carol:invite'],
        'an unknown token means current state',
      );
      const badFilter = await client.call('GET', `${room}/members?membership=gone`, {
        token: alice.accessToken,
      });
      assertError(badFilter, 400, 'M_INVALID_PARAM');

      const joined = await client.call('GET', `${room}/joined_members`, { token: bob.accessToken });
      assert.deepEqual(joined.body, {
        joined: {
          [alice.userId]: { display_name: 'alice' },
          [bob.userId]: { display_name: 'bob' },
        },
      });

      // Bob leaves; Dave joins after: Bob still sees the room as he left it.
      await client.call('POST', `${room}/leave`, as(bob.accessToken));
      await client.call('POST', `${room}/invite`, {
        token: alice.accessToken,
        body: { user_id: dave.userId },
      });
      await client.call('POST', `${room}/join`, as(dave.accessToken));
      assert.deepEqual(await members(bob.accessToken), ['alice:join', 'bob:leave', 'carol:invite']);
      assert.deepEqual(await members(alice.accessToken, '?membership=join'), [
        'alice:join',
        'dave:join',
      ]);
      assertError(
        await client.call('GET', `${room}/joined_members`, as(bob.accessToken)),
        403,
        'M_FORBIDDEN',
      );
      for (const path of ['members', 'joined_members']) {
        const refused = await client.call('GET', `${room}/${path}`, { token: eve.accessToken });
        assertError(refused, 403, 'M_FORBIDDEN');
      }
      // An invitee is not a member yet.
      assertError(
        await client.call('GET', `${room}/members`, { token: carol.accessToken }),
        403,
        'M_FORBIDDEN',
      );
    }));

  test(`${kind}: restricted rooms admit members of an allowed room`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const space = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const roomId = await createTestRoom(client, alice.accessToken, {
        room_version: '10',
        initial_state: [
          {
            type: 'm.room.join_rules',
            content: {
              join_rule: 'restricted',
              allow: [{ type: 'm.room_membership', room_id: space }],
            },
          },
        ],
      });
      const join = (target: string) =>
        client.call('POST', `${roomPath(target)}/join`, { token: bob.accessToken, body: {} });
      assertError(await join(roomId), 403, 'M_FORBIDDEN');
      assert.equal((await join(space)).status, 200);
      assert.equal((await join(roomId)).status, 200);
      assert.deepEqual(await stateContent(client, roomId, 'm.room.member', bob.userId), {
        displayname: 'bob',
        join_authorised_via_users_server: alice.userId,
        membership: 'join',
      });
    }));

  test(`${kind}: a profile change reaches every joined room, once`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const rooms = [];
      for (const name of ['one', 'two', 'left']) {
        rooms.push(await createTestRoom(client, alice.accessToken, { name }));
      }
      const left = rooms[2]!;
      await client.call('POST', `${roomPath(left)}/leave`, { token: alice.accessToken, body: {} });
      await setProfileField(client.db, alice.userId, 'displayname', 'Alice A.');
      await setProfileField(client.db, alice.userId, 'avatar_url', 'mxc://example.org/face');
      await propagateProfileChange(client.ctx, alice.userId);
      for (const roomId of rooms.slice(0, 2)) {
        assert.deepEqual(await stateContent(client, roomId, 'm.room.member', alice.userId), {
          displayname: 'Alice A.',
          avatar_url: 'mxc://example.org/face',
          membership: 'join',
        });
      }
      assert.deepEqual(await stateContent(client, left, 'm.room.member', alice.userId), {
        membership: 'leave',
      });
      const count = await countEvents(client);
      await propagateProfileChange(client.ctx, alice.userId);
      assert.equal(await countEvents(client), count, 'an unchanged profile sends nothing');
      const joined = await client.call('GET', `${roomPath(rooms[0]!)}/joined_members`, {
        token: alice.accessToken,
      });
      assert.deepEqual(joined.body.joined[alice.userId], {
        display_name: 'Alice A.',
        avatar_url: 'mxc://example.org/face',
      });
    }));

  test(`${kind}: leaving every room, as deactivation does`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const joined = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const invited = await createTestRoom(client, alice.accessToken, { invite: [bob.userId] });
      await client.call('POST', `${roomPath(joined)}/join`, { token: bob.accessToken, body: {} });
      await leaveAllRooms(client.ctx, bob.userId);
      for (const roomId of [joined, invited]) {
        assert.equal(await getMembership(client.db, roomId, bob.userId), 'leave');
      }
      assert.equal(await getMembership(client.db, joined, alice.userId), 'join');
    }));
}
