// Room aliases through the client app on both databases: create, resolve, list, delete, the
// canonical alias checks, and createRoom's room_alias_name.
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

const directory = (alias: string) => `${V3}/directory/room/${encodeURIComponent(alias)}`;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: create, resolve, list and delete aliases; conflicts and rights`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await createTestRoom(client, alice.accessToken, {
        preset: 'private_chat',
        invite: [bob.userId],
      });
      const room = roomPath(roomId);
      await client.call('POST', `${room}/join`, { token: bob.accessToken, body: {} });
      const put = (alias: string, token: string, body: unknown = { room_id: roomId }) =>
        client.call('PUT', directory(alias), { token, body: body === 'none' ? undefined : body });

      assert.deepEqual(await put('#a:example.org', alice.accessToken), { status: 200, body: {} });
      const resolved = await client.call('GET', directory('#a:example.org'));
      assert.deepEqual(resolved.body, { room_id: roomId, servers: ['example.org'] });
      assertError(await put('#a:example.org', bob.accessToken), 409, 'M_UNKNOWN');
      assert.equal((await put('#b:example.org', bob.accessToken)).status, 200, 'members may add');

      const before = await client.db.selectFrom('room_aliases').selectAll().execute();
      // Thunks, run one at a time: each refusal is checked against the same starting state.
      const refusals: [
        () => Promise<{ status: number; body: { errcode: string } }>,
        number,
        string,
      ][] = [
        [() => put('#a:elsewhere.org', alice.accessToken), 400, 'M_INVALID_PARAM'],
        [() => put('a:example.org', alice.accessToken), 400, 'M_INVALID_PARAM'],
        [() => put('#a b:example.org', alice.accessToken), 400, 'M_INVALID_PARAM'],
        [() => put('#:example.org', alice.accessToken), 400, 'M_INVALID_PARAM'],
        [() => put('#c:example.org', carol.accessToken), 403, 'M_FORBIDDEN'],
        [
          () => put('#c:example.org', alice.accessToken, { room_id: '!gone:example.org' }),
          404,
          'M_NOT_FOUND',
        ],
        [() => put('#c:example.org', alice.accessToken, { room_id: 3 }), 400, 'M_BAD_JSON'],
        [() => put('#c:example.org', alice.accessToken, { room_id: 'room' }), 400, 'M_BAD_JSON'],
        [() => put('#c:example.org', alice.accessToken, {}), 400, 'M_BAD_JSON'],
        [() => put('#c:example.org', alice.accessToken, 'none'), 400, 'M_NOT_JSON'],
        [() => put('#c:example.org', 'nope'), 401, 'M_UNKNOWN_TOKEN'],
        [() => client.call('GET', directory('#nope:example.org')), 404, 'M_NOT_FOUND'],
        [() => client.call('GET', directory('#a:elsewhere.org')), 404, 'M_NOT_FOUND'],
        [() => client.call('GET', directory('#broken')), 400, 'M_INVALID_PARAM'],
        [
          () => client.call('GET', `${room}/aliases`, { token: carol.accessToken }),
          403,
          'M_FORBIDDEN',
        ],
        // Bob (power 0) neither created #a nor may set the canonical alias.
        [
          () => client.call('DELETE', directory('#a:example.org'), { token: bob.accessToken }),
          403,
          'M_FORBIDDEN',
        ],
        [
          () => client.call('DELETE', directory('#z:example.org'), { token: bob.accessToken }),
          404,
          'M_NOT_FOUND',
        ],
      ];
      for (const [call, status, errcode] of refusals) assertError(await call(), status, errcode);
      assert.deepEqual(await client.db.selectFrom('room_aliases').selectAll().execute(), before);

      const listed = await client.call('GET', `${room}/aliases`, { token: bob.accessToken });
      assert.deepEqual(listed.body, { aliases: ['#a:example.org', '#b:example.org'] });

      // Alice deletes Bob's alias by power; Bob deletes his own... already gone.
      const deleted = await client.call('DELETE', directory('#b:example.org'), {
        token: alice.accessToken,
      });
      assert.deepEqual(deleted, { status: 200, body: {} });
      assertError(await client.call('GET', directory('#b:example.org')), 404, 'M_NOT_FOUND');
      assertError(
        await client.call('DELETE', directory('#b:example.org'), { token: bob.accessToken }),
        404,
        'M_NOT_FOUND',
      );
      // The creator of an alias may delete it whatever their power.
      await put('#bobs:example.org', bob.accessToken);
      const own = await client.call('DELETE', directory('#bobs:example.org'), {
        token: bob.accessToken,
      });
      assert.equal(own.status, 200);
    }));

  test(`${kind}: canonical alias events list only aliases that point to the room`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const roomId = await createTestRoom(client, alice.accessToken, { preset: 'private_chat' });
      const other = await createTestRoom(client, alice.accessToken, { preset: 'private_chat' });
      const room = roomPath(roomId);
      for (const [alias, target] of [
        ['#main:example.org', roomId],
        ['#alt:example.org', roomId],
        ['#other:example.org', other],
      ]) {
        await client.call('PUT', directory(alias!), {
          token: alice.accessToken,
          body: { room_id: target },
        });
      }
      const setCanonical = (content: object) =>
        client.call('PUT', `${room}/state/m.room.canonical_alias`, {
          token: alice.accessToken,
          body: content,
        });
      const ok = await setCanonical({
        alias: '#main:example.org',
        alt_aliases: ['#alt:example.org'],
      });
      assert.equal(ok.status, 200);
      const before = await countEvents(client);
      assertError(await setCanonical({ alias: '#other:example.org' }), 400, 'M_BAD_ALIAS');
      assertError(await setCanonical({ alias: '#missing:example.org' }), 400, 'M_BAD_ALIAS');
      assertError(await setCanonical({ alias: '#far:elsewhere.org' }), 400, 'M_BAD_ALIAS');
      assertError(await setCanonical({ alias: 'main' }), 400, 'M_INVALID_PARAM');
      assertError(await setCanonical({ alias: 5 }), 400, 'M_INVALID_PARAM');
      assertError(await setCanonical({ alt_aliases: '#alt:example.org' }), 400, 'M_INVALID_PARAM');
      assert.equal(await countEvents(client), before);

      // Deleting a listed alias takes it out of the event too.
      await client.call('DELETE', directory('#alt:example.org'), { token: alice.accessToken });
      assert.deepEqual(await stateContent(client, roomId, 'm.room.canonical_alias'), {
        alias: '#main:example.org',
        alt_aliases: [],
      });
      // An alias already listed is not checked again, so a stale one can stay while others change.
      await client.call('DELETE', directory('#main:example.org'), { token: alice.accessToken });
      const cleared = await setCanonical({});
      assert.equal(cleared.status, 200);
    }));

  test(`${kind}: createRoom with room_alias_name; a taken name stores nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const roomId = await createTestRoom(client, alice.accessToken, {
        room_alias_name: 'lobby',
        name: 'Lobby',
      });
      const resolved = await client.call('GET', directory('#lobby:example.org'));
      assert.equal(resolved.body.room_id, roomId);
      assert.deepEqual(await stateContent(client, roomId, 'm.room.canonical_alias'), {
        alias: '#lobby:example.org',
      });
      // The spec's order: the canonical alias right after the power levels.
      const types = await client.db
        .selectFrom('events')
        .select('type')
        .where('room_id', '=', roomId)
        .orderBy('stream_ordering')
        .execute();
      assert.deepEqual(
        types.slice(0, 5).map((row) => row.type),
        [
          'm.room.create',
          'm.room.member',
          'm.room.power_levels',
          'm.room.canonical_alias',
          'm.room.join_rules',
        ],
      );

      const events = await countEvents(client);
      const rooms = await client.db.selectFrom('rooms').selectAll().execute();
      const create = (body: object) =>
        client.call('POST', `${V3}/createRoom`, { token: alice.accessToken, body });
      assertError(await create({ room_alias_name: 'lobby' }), 400, 'M_ROOM_IN_USE');
      assertError(await create({ room_alias_name: 'a:b' }), 400, 'M_INVALID_PARAM');
      assertError(await create({ room_alias_name: 'two words' }), 400, 'M_INVALID_PARAM');
      assertError(await create({ room_alias_name: '' }), 400, 'M_INVALID_PARAM');
      assertError(await create({ room_alias_name: 7 }), 400, 'M_BAD_JSON');
      assert.equal(await countEvents(client), events);
      assert.deepEqual(await client.db.selectFrom('rooms').selectAll().execute(), rooms);
    }));
}
