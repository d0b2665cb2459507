// /sync with `use_state_after` (spec v1.16) on both databases, responses checked against the spec:
// each room has `state_after`, the state at the end of its timeline (in full, or what changed since
// the token, timeline state included), and no `state`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { fixtures, type Json, stateKeys } from './sync-fixtures.ts';

const AFTER = { use_state_after: true };

for (const kind of DATABASE_KINDS) {
  test(`${kind}: state_after is the state at the timeline's end`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await f.createRoom(alice, { preset: 'public_chat' });
      await f.membership(bob, roomId, 'join');

      // Initial: the whole state, though the timeline holds it all too.
      const initial = await f.sync(alice, AFTER);
      const room = initial.rooms.join[roomId];
      assert.equal(room.state, undefined, 'no state with use_state_after');
      assert.deepEqual(stateKeys(room.state_after.events), [
        'm.room.create|',
        'm.room.history_visibility|',
        'm.room.join_rules|',
        'm.room.member|@alice:example.org',
        'm.room.member|@bob:example.org',
        'm.room.power_levels|',
      ]);
      const plain = await f.sync(alice);
      assert.deepEqual(plain.rooms.join[roomId].state.events, [], 'without it, state as before');
      assert.equal(plain.rooms.join[roomId].state_after, undefined);

      // Lazy-loading: the members of the timeline's senders are there (bob only joined).
      const lazy = await f.sync(alice, {
        ...AFTER,
        filter: { room: { timeline: { limit: 20 }, state: { lazy_load_members: true } } },
      });
      const members = lazy.rooms.join[roomId].state_after.events
        .filter((e: Json) => e.type === 'm.room.member')
        .map((e: Json) => e.state_key)
        .sort();
      assert.deepEqual(members, [alice.userId, bob.userId]);

      // Incremental: a state change in the timeline is in state_after as well.
      const topic = await f.setState(alice, roomId, 'm.room.topic', '', { topic: 'news' });
      await f.send(bob, roomId, 'after the topic');
      const incremental = await f.sync(alice, { ...AFTER, since: initial.next_batch });
      const delta = incremental.rooms.join[roomId];
      assert.deepEqual(
        delta.state_after.events.map((e: Json) => e.event_id),
        [topic],
      );
      assert.equal(delta.state, undefined);
      // Nothing new: the room is left out.
      const quiet = await f.sync(alice, { ...AFTER, since: incremental.next_batch });
      assert.deepEqual(quiet.rooms.join, {});

      // A left room: its state after the timeline, which ends at the leave.
      await f.membership(bob, roomId, 'leave');
      const left = await f.sync(bob, {
        ...AFTER,
        since: incremental.next_batch,
        filter: { room: { include_leave: true } },
      });
      const leave = left.rooms.leave[roomId];
      assert.deepEqual(
        leave.state_after.events
          .filter((e: Json) => e.state_key === bob.userId)
          .map((e: Json) => e.content.membership),
        ['leave'],
      );
    }));
}
