// Filters on both databases, responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomPath } from '../../../conformance-tests/support/room-client.ts';
import { fixtures } from '../sync/sync-fixtures.ts';

const filters = (userId: string) => `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter`;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: upload a filter and read it back`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const filter = {
        room: {
          state: {
            types: ['m.room.*'],
            not_rooms: ['!726s6s6q:example.com', '!v12RoomIdsHaveNoServerName'],
            lazy_load_members: true,
          },
          timeline: { limit: 10, types: ['m.room.message'], not_senders: ['@spam:example.com'] },
          ephemeral: { types: ['m.receipt', 'm.typing'] },
          include_leave: false,
        },
        presence: { types: ['m.presence'], not_senders: ['@alice:example.com'] },
        event_format: 'client',
        event_fields: ['type', 'content', 'sender'],
        'org.example.unknown_key': true,
      };
      const created = await client.call('POST', filters(alice.userId), { token, body: filter });
      assert.equal(created.status, 200);
      assert.match(created.body.filter_id, /^\d+$/);
      const read = await client.call('GET', `${filters(alice.userId)}/${created.body.filter_id}`, {
        token,
      });
      assert.deepEqual(read, { status: 200, body: filter });
      const empty = await client.call('POST', filters(alice.userId), { token, body: {} });
      assert.notEqual(empty.body.filter_id, created.body.filter_id);
    }));

  test(`${kind}: filter refusals store nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const token = alice.accessToken;
      const bobs = await client.call('POST', filters(bob.userId), {
        token: bob.accessToken,
        body: {},
      });
      const before = await snapshotTables(client.db, ['filters']);

      assertError(
        await client.call('POST', filters(bob.userId), { token, body: {} }),
        403,
        'M_FORBIDDEN',
      );
      assertError(
        await client.call('GET', `${filters(bob.userId)}/${bobs.body.filter_id}`, { token }),
        403,
        'M_FORBIDDEN',
      );
      // Bob's filter id under alice's name is simply not alice's filter.
      for (const id of [bobs.body.filter_id, '999999', 'abc', '{}']) {
        assertError(
          await client.call('GET', `${filters(alice.userId)}/${encodeURIComponent(id)}`, { token }),
          404,
          'M_NOT_FOUND',
        );
      }
      const bad = [
        { event_format: 'xml' },
        { room: { timeline: { limit: -1 } } },
        { room: { timeline: { limit: 'ten' } } },
        { room: { rooms: 'all' } },
        { presence: { types: [5] } },
        { event_fields: 'type' },
        [],
        // Room and sender lists hold room and user ids (Complement's TestFilter).
        { room: { timeline: { rooms: ['not_a_room_id'] } } },
        { room: { state: { not_rooms: ['!'] } } },
        { room: { not_rooms: ['#alias:example.com'] } },
        { room: { timeline: { senders: ['not_a_sender_id'] } } },
        { room: { ephemeral: { not_senders: ['@nocolon'] } } },
        { presence: { senders: ['alice'] } },
        { account_data: { not_senders: [5] } },
      ];
      for (const body of bad) {
        assertError(
          await client.call('POST', filters(alice.userId), { token, body }),
          400,
          'M_BAD_JSON',
        );
      }
      assertError(
        await client.call('POST', filters(alice.userId), { body: {} }),
        401,
        'M_MISSING_TOKEN',
      );
      assertError(
        await client.call('GET', `${filters(alice.userId)}/1`, { token: 'nope' }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      assert.equal(await snapshotTables(client.db, ['filters']), before);
    }));

  test(`${kind}: inline filters of /sync and /messages refuse what POST /filter refuses`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const roomId = await f.createRoom(alice, { preset: 'private_chat' });
      const messages = (filter: object) =>
        `${roomPath(roomId)}/messages?dir=b&filter=${encodeURIComponent(JSON.stringify(filter))}`;

      for (const bad of [{ rooms: ['not_a_room_id'] }, { senders: ['not_a_sender_id'] }]) {
        assertError(
          await client.call('GET', f.syncUrl({ filter: { room: { timeline: bad } } }), { token }),
          400,
          'M_BAD_JSON',
        );
        assertError(await client.call('GET', messages(bad), { token }), 400, 'M_INVALID_PARAM');
      }
      const good = { rooms: [roomId], senders: [alice.userId] };
      const synced = await client.call('GET', f.syncUrl({ filter: { room: { timeline: good } } }), {
        token,
      });
      assert.equal(synced.status, 200);
      assert.ok(synced.body.rooms.join[roomId]);
      assert.equal((await client.call('GET', messages(good), { token })).status, 200);
    }));
}
