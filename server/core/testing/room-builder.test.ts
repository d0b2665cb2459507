import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkEventFormat } from '../auth-rules/check-event-format.ts';
import { createStandardRoom, RoomBuilder, testUser } from './room-builder.ts';

const alice = testUser('alice');
const bob = testUser('bob');

describe('RoomBuilder', () => {
  test('ids are deterministic, readable and shaped like reference hashes', () => {
    const ids = () => createStandardRoom('11', alice, { members: [bob] }).heads;
    assert.deepEqual(ids(), ids());
    const [head] = ids();
    assert.match(head!, /^\$05_member_bob_+$/);
    assert.equal(head!.length, 44);
  });

  test('v12: the room id is derived from the create event, which is never cited', () => {
    const room = new RoomBuilder('12');
    const create = room.create(alice);
    assert.equal(room.roomId, `!${create.eventId.slice(1)}`);
    assert.equal(create.pdu.room_id, undefined);
    const join = room.join(alice);
    assert.equal(join.pdu.room_id, room.roomId);
    assert.deepEqual(join.pdu.auth_events, []);
    assert.deepEqual(join.pdu.prev_events, [create.eventId]);
  });

  test('v11: auth events are selected from the state before the event', () => {
    const room = createStandardRoom('11', alice);
    const state = room.lookup();
    const message = room.message(alice);
    assert.deepEqual(message.pdu.auth_events, [
      state('m.room.create', '')!.eventId,
      state('m.room.power_levels', '')!.eventId,
      state('m.room.member', alice.id)!.eventId,
    ]);
    assert.equal(message.pdu.depth, 5);
  });

  test('forks: explicit prev_events make several forward extremities and a state per branch', () => {
    const room = createStandardRoom('10', alice);
    const base = room.heads[0]!;
    const left = room.send(alice, 'm.room.topic', '', { topic: 'left' }, { prev: [base] });
    const right = room.send(alice, 'm.room.topic', '', { topic: 'right' }, { prev: [base] });
    assert.deepEqual(room.heads, [left.eventId, right.eventId]);
    assert.equal(room.lookup(left)('m.room.topic', '')!.eventId, left.eventId);
    assert.equal(room.lookup(right)('m.room.topic', '')!.eventId, right.eventId);
    assert.equal(room.stateBefore(right).has('m.room.topic\u0000'), false);
    const merge = room.message(alice);
    assert.deepEqual(merge.pdu.prev_events, [left.eventId, right.eventId]);
    assert.deepEqual(room.heads, [merge.eventId]);
  });

  test('drafts are not added; tags keep two rooms apart', () => {
    const room = createStandardRoom('12', alice, { tag: 'a' });
    const other = createStandardRoom('12', alice, { tag: 'b' });
    assert.notEqual(room.roomId, other.roomId);
    const draft = room.draft(bob, 'm.room.message', undefined, {});
    assert.equal(room.events.has(draft.eventId), false);
  });

  test('built events pass the format checks of their version', () => {
    for (const version of ['1', '3', '6', '10', '11', '12']) {
      const room = createStandardRoom(version, alice, { members: [bob] });
      for (const event of room.events.values()) {
        assert.deepEqual(checkEventFormat(room.version, event), { allowed: true }, `v${version}`);
      }
    }
  });
});
