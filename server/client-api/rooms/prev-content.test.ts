// `unsigned.replaces_state`, `prev_content` and `prev_sender` on state events, on both databases:
// served on every read path (/sync timeline, state and left rooms, /messages, /context, /event,
// /state, /members), absent where nothing was replaced, following a redaction of the replaced event, and
// backfilled by the migration for events stored before it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';
import { down, up } from '../../../migrations/2026-11-22T02-00-00-event-read-facts.ts';
import type { Database } from '../../storage/schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
type Json = any;

const byId = (events: Json[], eventId: string): Json => {
  const found = events.find((event) => event.event_id === eventId);
  assert.ok(found, `${eventId} not among ${JSON.stringify(events.map((e) => e.event_id))}`);
  return found;
};

const factsOf = async (db: Kysely<Database>) =>
  db
    .selectFrom('events')
    .select(['event_id', 'replaces_state', 'contains_url'])
    .orderBy('stream_ordering')
    .execute();

for (const kind of DATABASE_KINDS) {
  test(`${kind}: state events carry the state they replaced on every read path`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await rooms.createRoom(alice, {
        preset: 'public_chat',
        room_version: '10',
        power_level_content_override: { events: { 'm.room.topic': 0 } },
      });
      const token = alice.accessToken;
      const firstTopic = await rooms.setState(alice, roomId, 'm.room.topic', '', { topic: 'one' });
      const bobJoins = await rooms.setMembership(bob, roomId, bob.userId, 'join');
      const secondTopic = await rooms.setState(bob, roomId, 'm.room.topic', '', { topic: 'two' });
      const rename = await rooms.setState(bob, roomId, 'm.room.member', bob.userId, {
        membership: 'join',
        displayname: 'Bobby',
      });
      const message = await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'hi' });

      const expectReplaced = (event: Json, replaced: string, content: Json, sender: string) => {
        assert.equal(event.unsigned.replaces_state, replaced, JSON.stringify(event));
        assert.deepEqual(event.unsigned.prev_content, content);
        assert.equal(event.unsigned.prev_sender, sender);
      };
      const expectNothingReplaced = (event: Json) => {
        for (const key of ['replaces_state', 'prev_content', 'prev_sender']) {
          assert.ok(!(key in event.unsigned), `${key} in ${JSON.stringify(event)}`);
        }
      };

      // /sync: the timeline and (with a short timeline) the state section.
      const filter = JSON.stringify({ room: { timeline: { limit: 50 } } });
      const synced = await client.call(
        'GET',
        `/_matrix/client/v3/sync?filter=${encodeURIComponent(filter)}`,
        { token },
      );
      const timeline = synced.body.rooms.join[roomId].timeline.events;
      expectReplaced(byId(timeline, secondTopic), firstTopic, { topic: 'one' }, alice.userId);
      expectNothingReplaced(byId(timeline, firstTopic));
      expectNothingReplaced(byId(timeline, message));
      const bobProfile = { membership: 'join' };
      expectReplaced(byId(timeline, rename), bobJoins, bobProfile, bob.userId);
      const short = JSON.stringify({ room: { timeline: { limit: 1 } } });
      const shortSync = await client.call(
        'GET',
        `/_matrix/client/v3/sync?filter=${encodeURIComponent(short)}`,
        { token },
      );
      const state = shortSync.body.rooms.join[roomId].state.events;
      expectReplaced(byId(state, secondTopic), firstTopic, { topic: 'one' }, alice.userId);

      // /messages, /context, /event, /state, /state/{type}/{key}?format=event, /members.
      const messages = await client.call('GET', `${roomPath(roomId)}/messages?dir=b&limit=50`, {
        token,
      });
      expectReplaced(byId(messages.body.chunk, rename), bobJoins, bobProfile, bob.userId);
      const context = await client.call(
        'GET',
        `${roomPath(roomId)}/context/${encodeURIComponent(secondTopic)}?limit=4`,
        { token },
      );
      expectReplaced(context.body.event, firstTopic, { topic: 'one' }, alice.userId);
      expectReplaced(byId(context.body.state, rename), bobJoins, bobProfile, bob.userId);
      const event = await client.call(
        'GET',
        `${roomPath(roomId)}/event/${encodeURIComponent(secondTopic)}`,
        { token },
      );
      expectReplaced(event.body, firstTopic, { topic: 'one' }, alice.userId);
      const fullState = await client.call('GET', `${roomPath(roomId)}/state`, { token });
      expectReplaced(byId(fullState.body, secondTopic), firstTopic, { topic: 'one' }, alice.userId);
      const topicEvent = await client.call(
        'GET',
        `${roomPath(roomId)}/state/m.room.topic/?format=event`,
        { token, unchecked: true }, // the spec's schema for this endpoint is the content only
      );
      assert.equal(topicEvent.body.event_id, secondTopic);
      expectReplaced(topicEvent.body, firstTopic, { topic: 'one' }, alice.userId);
      const members = await client.call('GET', `${roomPath(roomId)}/members`, { token });
      expectReplaced(byId(members.body.chunk, rename), bobJoins, bobProfile, bob.userId);

      // Redacting the replaced event redacts the prev_content served with its successor.
      await rooms.redact(alice, roomId, firstTopic);
      const afterRedaction = await client.call(
        'GET',
        `${roomPath(roomId)}/event/${encodeURIComponent(secondTopic)}`,
        { token },
      );
      expectReplaced(afterRedaction.body, firstTopic, {}, alice.userId);
      const resynced = await client.call(
        'GET',
        `/_matrix/client/v3/sync?filter=${encodeURIComponent(filter)}`,
        { token },
      );
      const again = resynced.body.rooms.join[roomId].timeline.events;
      expectReplaced(byId(again, secondTopic), firstTopic, {}, alice.userId);

      // A rejected invite, in the leave section of someone who never joined.
      const carol = await client.newAccount('carol');
      const invite = await rooms.setMembership(alice, roomId, carol.userId, 'invite');
      const before = await client.call('GET', '/_matrix/client/v3/sync', {
        token: carol.accessToken,
      });
      const rejection = await rooms.setMembership(carol, roomId, carol.userId, 'leave');
      const left = await client.call(
        'GET',
        `/_matrix/client/v3/sync?since=${encodeURIComponent(before.body.next_batch)}`,
        { token: carol.accessToken },
      );
      const [leaveEvent] = left.body.rooms.leave[roomId].timeline.events;
      assert.equal(leaveEvent.event_id, rejection);
      expectReplaced(leaveEvent, invite, { membership: 'invite' }, alice.userId);
    }));

  test(`${kind}: the migration backfills replaces_state and contains_url`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const roomId = await rooms.createRoom(alice, { preset: 'private_chat' });
      await rooms.setState(alice, roomId, 'm.room.name', '', { name: 'a' });
      await rooms.setState(alice, roomId, 'm.room.name', '', { name: 'b' });
      await rooms.setState(alice, roomId, 'm.room.avatar', '', { url: 'mxc://x/y' });
      await rooms.send(alice, roomId, { msgtype: 'm.image', body: 'i', url: 'mxc://x/z' });
      await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'has "url": in text' });
      await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'x', url: 5 });
      // Long enough for a full snapshot in the state group chain (every 50 groups).
      for (let i = 0; i < 55; i++) {
        await rooms.setState(alice, roomId, 'org.example.counter', '', { i });
      }
      const persisted = await factsOf(client.db);
      assert.equal(persisted.filter((row) => row.contains_url).length, 2);
      // The second name and 54 of the counters replaced an earlier value.
      assert.equal(persisted.filter((row) => row.replaces_state !== null).length, 55);

      await down(client.db as Kysely<unknown>);
      await up(client.db as Kysely<unknown>);
      assert.deepEqual(await factsOf(client.db), persisted);
    }));
}
