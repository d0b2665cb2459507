// Auth events selection, as (type, state_key) pairs and as event ids from a room's state.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getRoomVersion } from '../room-versions.ts';
import { AUTH_VERSIONS } from '../testing/assert-auth.ts';
import { createStandardRoom, testUser } from '../testing/room-builder.ts';
import { type AuthEventsTemplate, authEventPairs, selectAuthEvents } from './select-auth-events.ts';

const alice = '@alice:example.org';
const bob = '@bob:example.org';
const CREATE = 'm.room.create|';
const PL = 'm.room.power_levels|';
const JR = 'm.room.join_rules|';
const member = (user: string) => `m.room.member|${user}`;

const cases: Array<{ name: string; event: AuthEventsTemplate; pairs: string[] }> = [
  {
    name: 'create',
    event: { type: 'm.room.create', stateKey: '', sender: alice, content: {} },
    pairs: [],
  },
  {
    name: 'message',
    event: { type: 'm.room.message', sender: bob, content: {} },
    pairs: [CREATE, PL, member(bob)],
  },
  {
    name: 'state event',
    event: { type: 'm.room.topic', stateKey: '', sender: bob, content: {} },
    pairs: [CREATE, PL, member(bob)],
  },
  {
    name: 'own join',
    event: { type: 'm.room.member', stateKey: bob, sender: bob, content: { membership: 'join' } },
    pairs: [CREATE, PL, member(bob), JR],
  },
  {
    name: 'invite',
    event: {
      type: 'm.room.member',
      stateKey: bob,
      sender: alice,
      content: { membership: 'invite' },
    },
    pairs: [CREATE, PL, member(alice), member(bob), JR],
  },
  {
    name: 'knock',
    event: { type: 'm.room.member', stateKey: bob, sender: bob, content: { membership: 'knock' } },
    pairs: [CREATE, PL, member(bob), JR],
  },
  {
    name: 'kick (no join rules)',
    event: {
      type: 'm.room.member',
      stateKey: bob,
      sender: alice,
      content: { membership: 'leave' },
    },
    pairs: [CREATE, PL, member(alice), member(bob)],
  },
  {
    name: 'ban',
    event: { type: 'm.room.member', stateKey: bob, sender: alice, content: { membership: 'ban' } },
    pairs: [CREATE, PL, member(alice), member(bob)],
  },
  {
    name: 'third-party invite',
    event: {
      type: 'm.room.member',
      stateKey: bob,
      sender: alice,
      content: {
        membership: 'invite',
        third_party_invite: { signed: { token: 'abc', mxid: bob } },
      },
    },
    pairs: [CREATE, PL, member(alice), member(bob), JR, 'm.room.third_party_invite|abc'],
  },
  {
    name: 'third-party invite without a token',
    event: {
      type: 'm.room.member',
      stateKey: bob,
      sender: alice,
      content: { membership: 'invite', third_party_invite: { signed: {} } },
    },
    pairs: [CREATE, PL, member(alice), member(bob), JR],
  },
  {
    name: 'restricted join',
    event: {
      type: 'm.room.member',
      stateKey: bob,
      sender: bob,
      content: { membership: 'join', join_authorised_via_users_server: alice },
    },
    pairs: [CREATE, PL, member(bob), JR, member(alice)],
  },
  {
    name: 'join_authorised_via_users_server on a leave is not selected',
    event: {
      type: 'm.room.member',
      stateKey: bob,
      sender: bob,
      content: { membership: 'leave', join_authorised_via_users_server: alice },
    },
    pairs: [CREATE, PL, member(bob)],
  },
];

for (const version of AUTH_VERSIONS) {
  describe(`authEventPairs, room version ${version}`, () => {
    const roomVersion = getRoomVersion(version)!;
    for (const c of cases) {
      test(c.name, () => {
        const pairs = authEventPairs(roomVersion, c.event).map(([type, key]) => `${type}|${key}`);
        // v12 never selects the create event.
        const expected = roomVersion.roomIdFromCreateEvent
          ? c.pairs.filter((p) => p !== CREATE)
          : c.pairs;
        assert.deepEqual(pairs, expected);
      });
    }
  });
}

describe('authEventPairs in versions without restricted rooms', () => {
  test('v7 ignores join_authorised_via_users_server', () => {
    const pairs = authEventPairs(getRoomVersion('7')!, {
      type: 'm.room.member',
      stateKey: bob,
      sender: bob,
      content: { membership: 'join', join_authorised_via_users_server: alice },
    });
    assert.deepEqual(
      pairs.map(([t, k]) => `${t}|${k}`),
      [CREATE, PL, member(bob), JR],
    );
  });
});

describe('selectAuthEvents', () => {
  for (const version of AUTH_VERSIONS) {
    test(`v${version}: picks the current events that exist`, () => {
      const aliceUser = testUser('alice');
      const carol = testUser('carol');
      const room = createStandardRoom(version, aliceUser);
      const state = room.lookup();
      const id = (type: string, key = '') => state(type, key)!.eventId;
      const selected = selectAuthEvents(
        room.version,
        {
          type: 'm.room.member',
          stateKey: carol.id,
          sender: carol.id,
          content: { membership: 'join' },
        },
        state,
      );
      // Carol has no member event yet, so only create (not in v12), power levels and join rules.
      const expected = [id('m.room.power_levels'), id('m.room.join_rules')];
      if (!room.version.roomIdFromCreateEvent) expected.unshift(id('m.room.create'));
      assert.deepEqual(selected, expected);
    });
  }
});
