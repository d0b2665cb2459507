// Membership transitions through the client app on both databases, responses checked against
// the spec: invite, join, leave, kick, ban and unban with their refusals, which store nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  CLIENT_V3,
  createTestRoom as createRoom,
  countEvents as eventCount,
  roomPath,
  stateContent,
} from '../../../conformance-tests/support/room-fixtures.ts';
import { getMembership } from '../../storage/events.ts';

const V3 = CLIENT_V3;
const memberContent = (client: ClientHarness, roomId: string, userId: string) =>
  stateContent(client, roomId, 'm.room.member', userId);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: invite, join, leave, kick, ban and unban, each refused when the rules say so`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await createRoom(client, alice.accessToken, { preset: 'private_chat' });
      const room = roomPath(roomId);
      const post = (token: string, action: string, body: object = {}) =>
        client.call('POST', `${room}/${action}`, { token, body });
      const membership = (userId: string) => getMembership(client.db, roomId, userId);

      assertError(await post(bob.accessToken, 'join'), 403, 'M_FORBIDDEN');
      const notMember = await post(carol.accessToken, 'invite', { user_id: bob.userId });
      assertError(notMember, 403, 'M_FORBIDDEN');

      const invited = await post(alice.accessToken, 'invite', {
        user_id: bob.userId,
        reason: 'Welcome',
      });
      assert.deepEqual(invited, { status: 200, body: {} });
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        displayname: 'bob',
        membership: 'invite',
        reason: 'Welcome',
      });
      const beforeRepeat = await eventCount(client);
      assert.equal((await post(alice.accessToken, 'invite', { user_id: bob.userId })).status, 200);
      assert.equal(await eventCount(client), beforeRepeat, 'a repeated invite adds nothing');

      const joined = await post(bob.accessToken, 'join', { reason: 'hi' });
      assert.deepEqual(joined.body, { room_id: roomId });
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        displayname: 'bob',
        membership: 'join',
        reason: 'hi',
      });
      assert.equal((await post(bob.accessToken, 'join')).status, 200, 'joining twice is fine');
      assertError(
        await post(alice.accessToken, 'invite', { user_id: bob.userId }),
        403,
        'M_FORBIDDEN',
      );
      assertError(
        await post(bob.accessToken, 'kick', { user_id: alice.userId }),
        403,
        'M_FORBIDDEN',
      );

      assert.equal((await post(bob.accessToken, 'leave', { reason: 'bye' })).status, 200);
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        membership: 'leave',
        reason: 'bye',
      });
      const afterLeave = await eventCount(client);
      assert.equal((await post(bob.accessToken, 'leave')).status, 200, 'leaving twice is fine');
      assert.equal(await eventCount(client), afterLeave);
      assertError(await post(bob.accessToken, 'join'), 403, 'M_FORBIDDEN');

      // Rejoin after a new invite, then a kick.
      await post(alice.accessToken, 'invite', { user_id: bob.userId });
      await post(bob.accessToken, 'join');
      assert.equal(await membership(bob.userId), 'join');
      const kicked = await post(alice.accessToken, 'kick', { user_id: bob.userId, reason: 'spam' });
      assert.equal(kicked.status, 200);
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        membership: 'leave',
        reason: 'spam',
      });
      assertError(
        await post(alice.accessToken, 'kick', { user_id: bob.userId }),
        403,
        'M_FORBIDDEN',
      );

      assert.equal((await post(alice.accessToken, 'ban', { user_id: bob.userId })).status, 200);
      assert.equal(await membership(bob.userId), 'ban');
      assertError(
        await post(alice.accessToken, 'invite', { user_id: bob.userId }),
        403,
        'M_FORBIDDEN',
      );
      assertError(await post(bob.accessToken, 'join'), 403, 'M_FORBIDDEN');
      // Anyone can be banned, in the room or not.
      assert.equal((await post(alice.accessToken, 'ban', { user_id: carol.userId })).status, 200);
      const unbanned = await post(alice.accessToken, 'unban', {
        user_id: bob.userId,
        reason: 'ok',
      });
      assert.equal(unbanned.status, 200);
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        membership: 'leave',
        reason: 'ok',
      });
      assertError(
        await post(alice.accessToken, 'unban', { user_id: bob.userId }),
        403,
        'M_BAD_STATE',
      );
      await post(alice.accessToken, 'invite', { user_id: bob.userId });
      assert.equal((await post(bob.accessToken, 'join')).status, 200, 'unbanned, invited, joined');
    }));

  test(`${kind}: refused and malformed membership requests store nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await createRoom(client, alice.accessToken, { preset: 'private_chat' });
      const room = roomPath(roomId);
      const unknown = roomPath('!nowhere:example.org');
      const before = await eventCount(client);
      const cases: [string, string, object | string | undefined, string, number, string][] = [
        ['POST', `${unknown}/join`, {}, bob.accessToken, 404, 'M_NOT_FOUND'],
        [
          'POST',
          `${V3}/rooms/${encodeURIComponent('#a:example.org')}/join`,
          {},
          bob.accessToken,
          400,
          'M_INVALID_PARAM',
        ],
        ['POST', `${unknown}/leave`, {}, bob.accessToken, 403, 'M_FORBIDDEN'],
        [
          'POST',
          `${unknown}/invite`,
          { user_id: bob.userId },
          alice.accessToken,
          403,
          'M_FORBIDDEN',
        ],
        ['POST', `${unknown}/kick`, { user_id: bob.userId }, alice.accessToken, 403, 'M_FORBIDDEN'],
        ['POST', `${room}/leave`, {}, bob.accessToken, 403, 'M_FORBIDDEN'],
        ['POST', `${room}/invite`, {}, alice.accessToken, 400, 'M_BAD_JSON'],
        ['POST', `${room}/invite`, { user_id: 'bob' }, alice.accessToken, 400, 'M_BAD_JSON'],
        ['POST', `${room}/invite`, 'not json', alice.accessToken, 400, 'M_NOT_JSON'],
        [
          'POST',
          `${room}/invite`,
          { user_id: '@nobody:example.org' },
          alice.accessToken,
          403,
          'M_FORBIDDEN',
        ],
        ['POST', `${room}/kick`, { user_id: 5 }, alice.accessToken, 400, 'M_BAD_JSON'],
        [
          'POST',
          `${room}/ban`,
          { user_id: '@bob:bad_host' },
          alice.accessToken,
          400,
          'M_INVALID_PARAM',
        ],
        [
          'POST',
          `${room}/ban`,
          { user_id: bob.userId, reason: 7 },
          alice.accessToken,
          400,
          'M_BAD_JSON',
        ],
        ['POST', `${room}/unban`, [], alice.accessToken, 400, 'M_BAD_JSON'],
        // The body is optional, but when there is one it is an object.
        ['POST', `${room}/join`, '"hello"', bob.accessToken, 400, 'M_BAD_JSON'],
        ['POST', `${room}/leave`, '[]', bob.accessToken, 400, 'M_BAD_JSON'],
        ['POST', `${room}/ban`, { user_id: bob.userId }, bob.accessToken, 403, 'M_FORBIDDEN'],
        ['POST', `${room}/invite`, { user_id: bob.userId }, 'bad-token', 401, 'M_UNKNOWN_TOKEN'],
      ];
      for (const [method, url, body, token, status, errcode] of cases) {
        const options = typeof body === 'string' ? { token, rawBody: body } : { token, body };
        const result = await client.call(method, url, options);
        assertError(result, status, errcode);
      }
      assert.equal(await eventCount(client), before, 'failed requests stored no event');
    }));
  test(`${kind}: join and leave need no body; a join body's own keys go into the member event`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await createRoom(client, alice.accessToken, { preset: 'public_chat' });
      const room = roomPath(roomId);

      const joined = await client.call('POST', `${room}/join`, { token: bob.accessToken });
      assert.deepEqual(joined, { status: 200, body: { room_id: roomId } });
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        displayname: 'bob',
        membership: 'join',
      });
      const left = await client.call('POST', `${room}/leave`, { token: bob.accessToken });
      assert.deepEqual(left, { status: 200, body: {} });
      assert.equal(await getMembership(client.db, roomId, bob.userId), 'leave');

      // Through /join/{roomIdOrAlias}: custom keys and a room-specific name are kept; the
      // membership and third_party_signed are the server's business.
      const custom = await client.call('POST', `${V3}/join/${encodeURIComponent(roomId)}`, {
        token: bob.accessToken,
        body: {
          foo: 'bar',
          displayname: 'Bobby',
          reason: 'back',
          membership: 'ban',
          third_party_signed: { sender: alice.userId },
        },
      });
      assert.deepEqual(custom.body, { room_id: roomId });
      assert.deepEqual(await memberContent(client, roomId, bob.userId), {
        displayname: 'Bobby',
        foo: 'bar',
        membership: 'join',
        reason: 'back',
      });
    }));
}
