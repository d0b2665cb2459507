// createRoom's topic and v12 creators, idempotent PUT /state, and which refusals are a malformed
// request (400) rather than a lack of power (403), through the client app on both databases,
// responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  CLIENT_V3,
  countEvents,
  createTestRoom,
  roomPath,
  stateContent,
} from '../../../conformance-tests/support/room-fixtures.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: createRoom writes the rich topic; v12 trusted_private_chat invitees are creators`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const topicRoom = await createTestRoom(client, alice.accessToken, {
        topic: 'Test Room',
        initial_state: [{ type: 'm.room.topic', state_key: '', content: { topic: 'Shenanigans' } }],
      });
      assert.deepEqual(await stateContent(client, topicRoom, 'm.room.topic'), {
        topic: 'Test Room',
        'm.topic': { 'm.text': [{ body: 'Test Room', mimetype: 'text/plain' }] },
      });

      const direct = await createTestRoom(client, alice.accessToken, {
        room_version: '12',
        preset: 'trusted_private_chat',
        is_direct: true,
        invite: [bob.userId, carol.userId],
        creation_content: { additional_creators: [carol.userId, '@dan:example.org'] },
      });
      const create = await stateContent(client, direct, 'm.room.create');
      assert.deepEqual(create?.additional_creators, [carol.userId, '@dan:example.org', bob.userId]);
      // Creators are not listed in power levels (v12 forbids it); before v12 invitees get 100.
      const power = await stateContent(client, direct, 'm.room.power_levels');
      assert.deepEqual(power?.users, {});
      const older = await createTestRoom(client, alice.accessToken, {
        room_version: '11',
        preset: 'trusted_private_chat',
        invite: [bob.userId],
      });
      const olderPower = await stateContent(client, older, 'm.room.power_levels');
      assert.deepEqual(olderPower?.users, { [alice.userId]: 100, [bob.userId]: 100 });
      assert.equal(
        (await stateContent(client, older, 'm.room.create'))?.additional_creators,
        undefined,
      );

      // A bob who is a creator cannot be given a level, whoever asks: a malformed request.
      await client.call('POST', `${roomPath(direct)}/join`, { token: bob.accessToken });
      const listed = await client.call('PUT', `${roomPath(direct)}/state/m.room.power_levels/`, {
        token: alice.accessToken,
        body: { users: { [bob.userId]: 100 } },
      });
      assertError(listed, 400, 'M_BAD_JSON');

      // additional_creators that are not an array of user ids make no room.
      const before = await countEvents(client);
      for (const additional of ['not-an-array', ['@foo:example.com', 42], ['not-a-user-id']]) {
        const refused = await client.call('POST', `${CLIENT_V3}/createRoom`, {
          token: alice.accessToken,
          body: { room_version: '12', creation_content: { additional_creators: additional } },
        });
        assertError(refused, 400, 'M_BAD_JSON');
      }
      assert.equal(await countEvents(client), before);
    }));

  test(`${kind}: setting the same state twice is one event; malformed events are 400`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const room = roomPath(roomId);
      const put = (path: string, body: object, token = alice.accessToken) =>
        client.call('PUT', `${room}/state/${path}`, { token, body });

      const first = await put('a.test.state.type/', { a_key: 'a_value' });
      const second = await put('a.test.state.type/', { a_key: 'a_value' });
      assert.equal(second.body.event_id, first.body.event_id);
      const third = await put('a.test.state.type/', { a_key: 'other' });
      assert.notEqual(third.body.event_id, first.body.event_id);

      // join -> join with join_authorised_via_users_server: the key is the server's, dropped.
      await client.call('POST', `${room}/join`, { token: bob.accessToken });
      const renamed = await put(
        `m.room.member/${encodeURIComponent(bob.userId)}`,
        { membership: 'join', displayname: 'Bobby', join_authorised_via_users_server: 'unused' },
        bob.accessToken,
      );
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.deepEqual(await stateContent(client, roomId, 'm.room.member', bob.userId), {
        membership: 'join',
        displayname: 'Bobby',
      });

      const before = await countEvents(client);
      for (const [path, body] of [
        ['m.room.create/', { room_version: '12', entropy: 100 }],
        ['m.room.power_levels/', { users: { [bob.userId]: 2 ** 53 } }],
        ['m.room.power_levels/', { users_default: 'high' }],
      ] as const) {
        assertError(await put(path, body), 400, 'M_BAD_JSON');
      }
      // Bob lacks the power for power levels: that is 403.
      assertError(
        await put('m.room.power_levels/', { users: {} }, bob.accessToken),
        403,
        'M_FORBIDDEN',
      );
      assert.equal(await countEvents(client), before, 'refusals store nothing');
    }));

  test(`${kind}: /messages checks who may read the room before its parameters`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const room = roomPath(roomId);
      assertError(
        await client.call('GET', `${room}/messages`, { token: alice.accessToken }),
        400,
        'M_MISSING_PARAM',
      );
      assertError(
        await client.call('GET', `${room}/messages`, { token: bob.accessToken }),
        403,
        'M_FORBIDDEN',
      );
      assertError(
        await client.call('GET', `${room}/messages?dir=x`, { token: alice.accessToken }),
        400,
        'M_INVALID_PARAM',
      );
    }));
}
