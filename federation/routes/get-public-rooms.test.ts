// GET and POST /_matrix/federation/v1/publicRooms on both databases: this server's directory as
// the client API lists it, with limit 0 as no limit, pagination, the POST filter, and no
// third-party networks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  roomWithRemoteMember,
  sendState,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { listPublicRooms } from '../../server/rooms/list-public-rooms.ts';
import { getFederationPublicRooms, postFederationPublicRooms } from './get-public-rooms.ts';

const PATH = '/_matrix/federation/v1/publicRooms';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /publicRooms lists this server's directory`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [
        getFederationPublicRooms,
        postFederationPublicRooms,
      ]);
      t.after(() => server.close());
      const big = await roomWithRemoteMember(server);
      await sendState(server, big.roomId, big.alice, 'm.room.name', '', { name: 'Big room' });
      const small = await roomWithRemoteMember(server);
      await sendState(server, small.roomId, small.alice, 'm.room.name', '', { name: 'Small' });
      await sendState(server, big.roomId, '@c:a.test', 'm.room.member', '@c:a.test', {
        membership: 'join',
      });
      const get = (query = '') => server.call('origin.test', 'GET', `${PATH}${query}`);
      const post = (body: JsonObject) => server.call('origin.test', 'POST', PATH, body);
      const roomIds = (reply: { body: { chunk: { room_id: string }[] } }) =>
        reply.body.chunk.map((room) => room.room_id);

      const all = await get();
      assert.equal(all.status, 200);
      assert.deepEqual(roomIds(all), [big.roomId, small.roomId]);
      assert.equal(all.body.chunk[0].num_joined_members, 3);
      assert.deepEqual(all.body, await listPublicRooms(db, {}));
      assert.deepEqual(roomIds(await get('?limit=0')), [big.roomId, small.roomId]);

      const first = await get('?limit=1');
      assert.deepEqual(roomIds(first), [big.roomId]);
      const second = await get(`?limit=1&since=${first.body.next_batch}`);
      assert.deepEqual(roomIds(second), [small.roomId]);
      assert.equal(second.body.next_batch, undefined);

      assert.deepEqual(roomIds(await post({})), [big.roomId, small.roomId]);
      assert.deepEqual(roomIds(await post({ limit: 0 })), [big.roomId, small.roomId]);
      assert.deepEqual(roomIds(await post({ filter: { generic_search_term: 'small' } })), [
        small.roomId,
      ]);
      assert.deepEqual(roomIds(await post({ limit: 1, since: first.body.next_batch })), [
        small.roomId,
      ]);
      // No application services, so no third-party networks.
      assert.deepEqual((await post({ third_party_instance_id: 'irc' })).body, {
        chunk: [],
        total_room_count_estimate: 0,
      });
      assert.deepEqual((await get('?third_party_instance_id=irc')).body.chunk, []);
      assert.equal(
        roomIds(await get('?third_party_instance_id=irc&include_all_networks=true')).length,
        2,
      );

      const bad: [() => ReturnType<typeof get>, number, string][] = [
        [() => get('?limit=many'), 400, 'M_INVALID_PARAM'],
        [() => get('?since=garbage'), 400, 'M_INVALID_PARAM'],
        [() => post({ limit: 'many' }), 400, 'M_BAD_JSON'],
        [() => server.call('origin.test', 'POST', PATH), 400, 'M_NOT_JSON'],
      ];
      for (const [request, status, errcode] of bad) {
        const reply = await request();
        assert.deepEqual([reply.status, reply.body.errcode], [status, errcode]);
      }
    }));
}
