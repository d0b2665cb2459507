import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stateKey } from '../state-map.ts';
import { RoomBuilder, testUser } from '../testing/room-builder.ts';
import { authStateKeys } from './auth-state-keys.ts';

const alice = testUser('alice');
const bob = testUser('bob');

describe('authStateKeys', () => {
  it('always includes the create event, even in room version 12', () => {
    for (const version of ['11', '12']) {
      const room = new RoomBuilder(version);
      room.create(alice);
      const topic = room.draft(alice, 'm.room.topic', '', { topic: 'x' });
      assert.deepEqual(
        new Set(authStateKeys(room.version, topic.pdu)),
        new Set([
          stateKey('m.room.create', ''),
          stateKey('m.room.power_levels', ''),
          stateKey('m.room.member', alice.id),
        ]),
      );
    }
  });

  it('adds the target and join rules for a membership', () => {
    const room = new RoomBuilder('11');
    room.create(alice);
    const invite = room.draft(alice, 'm.room.member', bob.id, { membership: 'invite' });
    const keys = authStateKeys(room.version, invite.pdu);
    assert.ok(keys.includes(stateKey('m.room.member', bob.id)));
    assert.ok(keys.includes(stateKey('m.room.join_rules', '')));
  });
});
