// The published room directory through the client app on both databases: visibility, the
// summary fields, search, room types and pagination.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  createTestRoom,
  roomPath,
  CLIENT_V3 as V3,
} from '../../../conformance-tests/support/room-fixtures.ts';

const visibilityPath = (roomId: string) =>
  `${V3}/directory/list/room/${encodeURIComponent(roomId)}`;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: room visibility in the directory, and who may change it`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      await client.call('POST', `${roomPath(roomId)}/join`, { token: bob.accessToken, body: {} });
      const visibility = async () => (await client.call('GET', visibilityPath(roomId))).body;
      assert.deepEqual(await visibility(), { visibility: 'private' });
      const set = (token: string, body: unknown) =>
        client.call('PUT', visibilityPath(roomId), { token, body });

      assertError(await set(bob.accessToken, { visibility: 'public' }), 403, 'M_FORBIDDEN');
      assertError(await set(alice.accessToken, { visibility: 'hidden' }), 400, 'M_BAD_JSON');
      assertError(await set(alice.accessToken, 'x'), 400, 'M_BAD_JSON');
      assertError(
        await client.call('PUT', visibilityPath('!gone:example.org'), {
          token: alice.accessToken,
          body: {},
        }),
        404,
        'M_NOT_FOUND',
      );
      assertError(
        await client.call('GET', visibilityPath('!gone:example.org')),
        404,
        'M_NOT_FOUND',
      );
      assert.deepEqual(await visibility(), { visibility: 'private' });

      assert.deepEqual(await set(alice.accessToken, {}), { status: 200, body: {} });
      assert.deepEqual(await visibility(), { visibility: 'public' }, '"Defaults to public"');
      await set(alice.accessToken, { visibility: 'private' });
      assert.deepEqual(await visibility(), { visibility: 'private' });
      const listed = await client.call('GET', `${V3}/publicRooms`);
      assert.deepEqual(listed.body.chunk, []);
    }));

  test(`${kind}: publicRooms summaries, search, room types and pagination`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const token = alice.accessToken;
      const publish = (body: object) =>
        createTestRoom(client, token, { visibility: 'public', preset: 'public_chat', ...body });
      const cheese = await publish({
        name: 'Cheese club',
        topic: 'Tasty tasty cheese',
        room_alias_name: 'cheese',
        initial_state: [
          { type: 'm.room.avatar', content: { url: 'mxc://example.org/brie' } },
          { type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } },
          { type: 'm.room.guest_access', content: { guest_access: 'can_join' } },
        ],
      });
      const wine = await publish({ name: 'Wine', topic: 'Goes with CHEESE' });
      const space = await publish({ name: 'Space', creation_content: { type: 'm.space' } });
      const bread = await publish({ room_alias_name: 'bread' });
      await createTestRoom(client, token, { name: 'Secret cheese', preset: 'private_chat' });
      const empty = await publish({ name: 'Abandoned' });
      await client.call('POST', `${roomPath(empty)}/leave`, { token, body: {} });
      await client.call('POST', `${roomPath(cheese)}/join`, { token: bob.accessToken, body: {} });

      const all = await client.call('GET', `${V3}/publicRooms`);
      assert.equal(all.body.total_room_count_estimate, 4);
      // Largest first, then by room id; nobody joined: not listed.
      assert.equal(all.body.chunk[0].room_id, cheese);
      assert.deepEqual(
        all.body.chunk.slice(1).map((room: { room_id: string }) => room.room_id),
        [wine, space, bread].sort(),
      );
      assert.deepEqual(all.body.chunk[0], {
        room_id: cheese,
        num_joined_members: 2,
        world_readable: true,
        guest_can_join: true,
        name: 'Cheese club',
        topic: 'Tasty tasty cheese',
        canonical_alias: '#cheese:example.org',
        avatar_url: 'mxc://example.org/brie',
        join_rule: 'public',
      });
      const spaceEntry = all.body.chunk.find((room: { room_id: string }) => room.room_id === space);
      assert.equal(spaceEntry.room_type, 'm.space');
      assert.equal(spaceEntry.world_readable, false);
      assert.equal(all.body.next_batch, undefined);
      assert.equal(all.body.prev_batch, undefined);

      const ids = (body: { chunk: { room_id: string }[] }) =>
        body.chunk.map((room) => room.room_id);
      const first = await client.call('GET', `${V3}/publicRooms?limit=2`);
      assert.equal(first.body.chunk.length, 2);
      assert.equal(first.body.prev_batch, undefined);
      const second = await client.call(
        'GET',
        `${V3}/publicRooms?limit=2&since=${first.body.next_batch}`,
      );
      assert.deepEqual([...ids(first.body), ...ids(second.body)], ids(all.body));
      assert.equal(second.body.next_batch, undefined);
      const back = await client.call(
        'GET',
        `${V3}/publicRooms?limit=2&since=${second.body.prev_batch}`,
      );
      assert.deepEqual(ids(back.body), ids(first.body));

      const search = async (body: object) => {
        const result = await client.call('POST', `${V3}/publicRooms`, { token, body });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        return ids(result.body);
      };
      assert.deepEqual(await search({ filter: { generic_search_term: 'cheese' } }), [cheese, wine]);
      assert.deepEqual(await search({ filter: { generic_search_term: '#BREAD' } }), [bread]);
      assert.deepEqual(await search({ filter: { room_types: ['m.space'] } }), [space]);
      assert.deepEqual(
        (await search({ filter: { room_types: [null] } })).sort(),
        [cheese, wine, bread].sort(),
      );
      assert.deepEqual(await search({ limit: 1, include_all_networks: true }), [cheese]);
      assert.deepEqual(await search({ third_party_instance_id: 'irc' }), []);
      const page = await client.call('POST', `${V3}/publicRooms?server=example.org`, {
        token,
        body: { limit: 1, since: 'n1' },
      });
      assert.deepEqual(page.body.prev_batch, 'p1');

      const refusals: [
        () => Promise<{ status: number; body: { errcode: string } }>,
        number,
        string,
      ][] = [
        // No federation in this context: another server's directory cannot be fetched.
        [() => client.call('GET', `${V3}/publicRooms?server=elsewhere.org`), 404, 'M_NOT_FOUND'],
        [() => client.call('GET', `${V3}/publicRooms?since=garbage`), 400, 'M_INVALID_PARAM'],
        [() => client.call('GET', `${V3}/publicRooms?limit=lots`), 400, 'M_INVALID_PARAM'],
        [() => client.call('POST', `${V3}/publicRooms`, { body: {} }), 401, 'M_MISSING_TOKEN'],
        [
          () => client.call('POST', `${V3}/publicRooms`, { token, body: { limit: 'x' } }),
          400,
          'M_BAD_JSON',
        ],
        [
          () =>
            client.call('POST', `${V3}/publicRooms`, {
              token,
              body: { filter: { room_types: [1] } },
            }),
          400,
          'M_BAD_JSON',
        ],
        [
          () => client.call('POST', `${V3}/publicRooms`, { token, rawBody: '{' }),
          400,
          'M_NOT_JSON',
        ],
      ];
      for (const [call, status, errcode] of refusals) assertError(await call(), status, errcode);
    }));
}
