// The `contains_url` field of a RoomEventFilter on both databases: in /sync timelines (applied in
// SQL, so the limit counts matching events), the /sync state section and /messages; a `url` that
// is not a string does not count. Also that every RoomEventFilter field parses, and a wrong type
// is refused with the endpoint's errcode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';
import { fixtures, type Json } from './sync-fixtures.ts';

const labels = (events: Json[]) => events.map((e: Json) => e.content.body ?? e.type);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: contains_url in sync timelines and state, and in /messages`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const roomId = await f.createRoom(alice, { preset: 'private_chat' });
      await f.setState(alice, roomId, 'm.room.avatar', '', { url: 'mxc://example.org/a' });
      await rooms.send(alice, roomId, { msgtype: 'm.image', body: 'image', url: 'mxc://x/i' });
      await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'number', url: 5 });
      await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'text "url": here' });

      const withUrl = await f.sync(alice, {
        filter: { room: { timeline: { contains_url: true, limit: 1 } } },
      });
      const timeline = withUrl.rooms.join[roomId].timeline;
      assert.deepEqual(labels(timeline.events), ['image']);
      assert.equal(timeline.limited, true);
      const all = await f.sync(alice, {
        filter: { room: { timeline: { contains_url: true, limit: 10 } } },
      });
      assert.deepEqual(labels(all.rooms.join[roomId].timeline.events), ['m.room.avatar', 'image']);
      const without = await f.sync(alice, {
        filter: { room: { timeline: { contains_url: false, limit: 2 } } },
      });
      assert.deepEqual(labels(without.rooms.join[roomId].timeline.events), [
        'number',
        'text "url": here',
      ]);

      // The state section, before a one-event timeline: only the avatar has a url.
      const state = await f.sync(alice, {
        filter: { room: { timeline: { limit: 1 }, state: { contains_url: true } } },
      });
      assert.deepEqual(labels(state.rooms.join[roomId].state.events), ['m.room.avatar']);

      const messages = await client.call(
        'GET',
        `${roomPath(roomId)}/messages?dir=b&filter=${encodeURIComponent(JSON.stringify({ contains_url: true }))}`,
        { token },
      );
      assert.deepEqual(labels(messages.body.chunk), ['image', 'm.room.avatar']);
    }));

  test(`${kind}: every RoomEventFilter field parses; wrong types are refused`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const roomId = await f.createRoom(alice, { preset: 'private_chat' });
      await f.send(alice, roomId, 'hello');
      const roomFilter = {
        limit: 5,
        rooms: [roomId],
        not_rooms: ['!elsewhere:example.org'],
        senders: [alice.userId],
        not_senders: ['@spam:example.org'],
        types: ['m.room.*'],
        not_types: ['m.room.topic'],
        contains_url: false,
        lazy_load_members: true,
        include_redundant_members: false,
        unread_thread_notifications: true,
      };
      const filter = { room: { timeline: roomFilter, state: roomFilter } };
      const created = await client.call(
        'POST',
        `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/filter`,
        { token, body: filter },
      );
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const synced = await f.sync(alice, { filter: created.body.filter_id });
      assert.deepEqual(labels(synced.rooms.join[roomId].timeline.events).at(-1), 'hello');
      const inline = await f.sync(alice, { filter });
      assert.deepEqual(labels(inline.rooms.join[roomId].timeline.events).at(-1), 'hello');
      const messages = await client.call(
        'GET',
        `${roomPath(roomId)}/messages?dir=b&filter=${encodeURIComponent(JSON.stringify(roomFilter))}`,
        { token },
      );
      assert.equal(messages.body.chunk[0].content.body, 'hello');

      for (const bad of [
        { contains_url: 'yes' },
        { unread_thread_notifications: 1 },
        { not_rooms: 'x' },
        { senders: [5] },
      ]) {
        assertError(
          await client.call('GET', f.syncUrl({ filter: { room: { timeline: bad } } }), { token }),
          400,
          'M_BAD_JSON',
        );
        assertError(
          await client.call(
            'GET',
            `${roomPath(roomId)}/messages?dir=b&filter=${encodeURIComponent(JSON.stringify(bad))}`,
            { token },
          ),
          400,
          'M_INVALID_PARAM',
        );
      }
    }));
}
