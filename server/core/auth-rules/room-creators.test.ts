// Room version 12's creators (the create event's sender and additional_creators) have infinite
// power and cannot appear in power levels; in v10 and v11 the same events mean nothing special.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import { createStandardRoom, type RoomBuilder, testUser } from '../testing/room-builder.ts';
import { checkEventAuth } from './check-event-auth.ts';
import { CREATOR_POWER_LEVEL, getUserPowerLevel } from './power-levels.ts';

const alice = testUser('alice'); // create sender
const zed = testUser('zed', 'other.org'); // listed in additional_creators
const mod = testUser('mod');
const bob = testUser('bob');

function roomFor(version: AuthVersionId, extraUsers: Record<string, number> = {}): RoomBuilder {
  return createStandardRoom(version, alice, {
    createContent: { additional_creators: [zed.id] },
    members: [zed, mod, bob],
    powerLevels: {
      users: { [mod.id]: 100, ...extraUsers },
      events: { 'm.room.tombstone': 150 },
      invite: 100,
      ban: 100,
      kick: 100,
    },
  });
}

type Expectations = Record<AuthVersionId, true | RegExp>;

const cases: Array<{
  name: string;
  /** Before v12: alice lists herself at 50 in users. */
  demoteAlice?: boolean;
  event: (room: RoomBuilder) => ReturnType<RoomBuilder['draft']>;
  expect: Expectations;
}> = [
  {
    name: 'a moderator at 100 kicks the create sender',
    event: (r) => r.draft(mod, 'm.room.member', alice.id, { membership: 'leave' }),
    // alice has 100 too before v12, and an equal level cannot be kicked.
    expect: { '10': /cannot kick/, '11': /cannot kick/, '12': /cannot kick/ },
  },
  {
    name: 'a moderator kicks the create sender after she lowered herself to 50',
    demoteAlice: true,
    event: (r) => r.draft(mod, 'm.room.member', alice.id, { membership: 'leave' }),
    // In v12 she cannot be listed in users, so she keeps infinite power.
    expect: { '10': true, '11': true, '12': /cannot kick/ },
  },
  {
    name: 'an additional creator kicks a moderator at 100',
    event: (r) => r.draft(zed, 'm.room.member', mod.id, { membership: 'leave' }),
    expect: { '10': /cannot kick/, '11': /cannot kick/, '12': true },
  },
  {
    name: 'an additional creator bans the create sender',
    event: (r) => r.draft(zed, 'm.room.member', alice.id, { membership: 'ban' }),
    expect: { '10': /cannot ban/, '11': /cannot ban/, '12': /cannot ban/ },
  },
  {
    name: 'the create sender bans an additional creator',
    event: (r) => r.draft(alice, 'm.room.member', zed.id, { membership: 'ban' }),
    // Before v12 zed is a plain member at 0.
    expect: { '10': true, '11': true, '12': /cannot ban/ },
  },
  {
    name: 'an additional creator invites at invite level 100',
    event: (r) => r.draft(zed, 'm.room.member', '@new:example.org', { membership: 'invite' }),
    expect: { '10': /cannot invite/, '11': /cannot invite/, '12': true },
  },
  {
    name: 'an additional creator changes the power levels',
    event: (r) =>
      r.draft(zed, 'm.room.power_levels', '', {
        users: { [mod.id]: 100, [bob.id]: 9000 },
        ban: 9000,
      }),
    expect: { '10': /needs power level 50/, '11': /needs power level 50/, '12': true },
  },
  {
    name: 'a moderator lists the create sender in users',
    event: (r) =>
      r.draft(mod, 'm.room.power_levels', '', {
        users: { [mod.id]: 100, [alice.id]: 100 },
        events: { 'm.room.tombstone': 150 },
        invite: 100,
        ban: 100,
        kick: 100,
      }),
    // Before v12, alice is already listed at 100: no change.
    expect: { '10': true, '11': true, '12': /creator @alice:example.org cannot be listed/ },
  },
  {
    name: 'the create sender lists an additional creator in users',
    event: (r) =>
      r.draft(alice, 'm.room.power_levels', '', {
        users: { [mod.id]: 100, [zed.id]: 50 },
        events: { 'm.room.tombstone': 150 },
      }),
    expect: { '10': true, '11': true, '12': /creator @zed:other.org cannot be listed/ },
  },
  {
    name: 'an additional creator sends a tombstone at level 150',
    event: (r) => r.draft(zed, 'm.room.tombstone', '', { replacement_room: '!new:example.org' }),
    expect: { '10': /needs power level 150/, '11': /needs power level 150/, '12': true },
  },
  {
    name: 'a moderator at 100 sends a tombstone at level 150',
    event: (r) => r.draft(mod, 'm.room.tombstone', '', { replacement_room: '!new:example.org' }),
    expect: {
      '10': /needs power level 150/,
      '11': /needs power level 150/,
      '12': /needs power level 150/,
    },
  },
  {
    name: 'an additional creator authorises a restricted join at invite level 100',
    event: (r) =>
      r.draft(
        '@new:example.org',
        'm.room.member',
        '@new:example.org',
        { membership: 'join', join_authorised_via_users_server: zed.id },
        { signedBy: ['other.org'] },
      ),
    expect: { '10': /cannot invite/, '11': /cannot invite/, '12': true },
  },
];

for (const version of AUTH_VERSIONS) {
  describe(`creators, room version ${version}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const demote = c.demoteAlice && version !== '12';
        const room = roomFor(version, demote ? { [alice.id]: 50 } : {});
        if (c.name.includes('restricted')) room.joinRules(alice, 'restricted');
        assertVerdict(
          checkEventAuth(room.version, c.event(room), room.lookup()),
          c.expect[version],
          c.name,
        );
      });
    }
  });
}

describe('getUserPowerLevel', () => {
  test('v12 creators are infinite with or without power levels; others default to 0', () => {
    const room = roomFor('12');
    const create = room.lookup()('m.room.create', '')!.pdu;
    const powerLevels = room.lookup()('m.room.power_levels', '')!.pdu;
    for (const pl of [powerLevels, undefined]) {
      assert.equal(getUserPowerLevel(room.version, create, pl, alice.id), CREATOR_POWER_LEVEL);
      assert.equal(getUserPowerLevel(room.version, create, pl, zed.id), CREATOR_POWER_LEVEL);
      assert.equal(getUserPowerLevel(room.version, create, pl, bob.id), 0);
    }
    assert.equal(getUserPowerLevel(room.version, create, powerLevels, mod.id), 100);
    assert.equal(getUserPowerLevel(room.version, create, undefined, mod.id), 0);
  });

  test('before v12 the creator has 100 only while there are no power levels', () => {
    for (const version of ['10', '11'] as const) {
      const room = roomFor(version);
      const create = room.lookup()('m.room.create', '')!.pdu;
      assert.equal(getUserPowerLevel(room.version, create, undefined, alice.id), 100);
      assert.equal(getUserPowerLevel(room.version, create, undefined, zed.id), 0);
      const demoted = { ...room.lookup()('m.room.power_levels', '')!.pdu, content: { users: {} } };
      assert.equal(getUserPowerLevel(room.version, create, demoted, alice.id), 0);
    }
  });
});
