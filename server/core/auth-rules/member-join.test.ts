// Joins in room versions 10, 11 and 12: every join rule, restricted joins through an
// authorising user, and the creator's first join.

import { describe, test } from 'node:test';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import {
  alice,
  bob,
  carol,
  dave,
  erin,
  type MemberCase,
  member,
  mod,
  runMemberCases,
} from '../testing/member-cases.ts';
import { RoomBuilder } from '../testing/room-builder.ts';
import { checkEventAuth } from './check-event-auth.ts';

const cases: MemberCase[] = [
  // join
  { name: 'public: a stranger joins', event: member(carol.id, carol.id, 'join'), expect: true },
  {
    name: 'public: a remote stranger joins',
    event: member(dave.id, dave.id, 'join'),
    expect: true,
  },
  {
    name: 'join on behalf of another user',
    event: member(bob.id, carol.id, 'join'),
    expect: /behalf/,
  },
  {
    name: 'banned user cannot join a public room',
    setup: (r) => r.ban(alice, carol),
    event: member(carol.id, carol.id, 'join'),
    expect: /banned/,
  },
  {
    name: 'invite: uninvited stranger',
    joinRule: 'invite',
    event: member(carol.id, carol.id, 'join'),
    expect: /not invited/,
  },
  {
    name: 'invite: invited user joins',
    joinRule: 'invite',
    setup: (r) => r.invite(alice, carol),
    event: member(carol.id, carol.id, 'join'),
    expect: true,
  },
  {
    name: 'invite: joined member re-joins (profile change)',
    joinRule: 'invite',
    event: member(bob.id, bob.id, 'join', { displayname: 'Bob' }),
    expect: true,
  },
  {
    name: 'invite: a user who left must be invited again',
    joinRule: 'invite',
    setup: (r) => r.leave(bob),
    event: member(bob.id, bob.id, 'join'),
    expect: /not invited/,
  },
  {
    name: 'knock: uninvited',
    joinRule: 'knock',
    event: member(carol.id, carol.id, 'join'),
    expect: /not invited/,
  },
  {
    name: 'knock: invited after knocking',
    joinRule: 'knock',
    setup: (r) => {
      r.knock(carol);
      r.invite(alice, carol);
    },
    event: member(carol.id, carol.id, 'join'),
    expect: true,
  },
  {
    name: 'knock: a knock alone does not let one join',
    joinRule: 'knock',
    setup: (r) => r.knock(carol),
    event: member(carol.id, carol.id, 'join'),
    expect: /not invited/,
  },
  {
    name: 'private join rule',
    joinRule: 'private',
    event: member(carol.id, carol.id, 'join'),
    expect: /does not allow/,
  },
  {
    name: 'unknown join rule',
    joinRule: 'secret',
    event: member(carol.id, carol.id, 'join'),
    expect: /does not allow/,
  },

  // restricted and knock_restricted
  ...['restricted', 'knock_restricted'].flatMap((joinRule): MemberCase[] => [
    {
      name: `${joinRule}: no invite and no authoriser`,
      joinRule,
      event: member(carol.id, carol.id, 'join'),
      expect: /join_authorised_via_users_server/,
    },
    {
      name: `${joinRule}: invited`,
      joinRule,
      setup: (r) => r.invite(alice, carol),
      event: member(carol.id, carol.id, 'join'),
      expect: true,
    },
    {
      name: `${joinRule}: authorised by a joined member who can invite`,
      joinRule,
      powerLevels: { invite: 50 },
      event: (r) =>
        r.draft(carol, 'm.room.member', carol.id, {
          membership: 'join',
          join_authorised_via_users_server: mod.id,
        }),
      expect: true,
    },
    {
      name: `${joinRule}: authoriser below the invite level`,
      joinRule,
      powerLevels: { invite: 50 },
      event: (r) =>
        r.draft(carol, 'm.room.member', carol.id, {
          membership: 'join',
          join_authorised_via_users_server: bob.id,
        }),
      expect: /cannot invite/,
    },
    {
      name: `${joinRule}: authoriser not joined`,
      joinRule,
      event: (r) =>
        r.draft(carol, 'm.room.member', carol.id, {
          membership: 'join',
          join_authorised_via_users_server: erin.id,
        }),
      expect: /not joined/,
    },
  ]),
  {
    name: 'restricted: authoriser on another server must have signed',
    joinRule: 'restricted',
    setup: (r) => r.join(dave),
    event: (r) =>
      r.draft(carol, 'm.room.member', carol.id, {
        membership: 'join',
        join_authorised_via_users_server: dave.id,
      }),
    expect: /not signed by the server of join_authorised_via_users_server/,
  },
  {
    name: 'restricted: authoriser on another server who signed',
    joinRule: 'restricted',
    setup: (r) => r.join(dave),
    event: (r) =>
      r.draft(
        carol,
        'm.room.member',
        carol.id,
        { membership: 'join', join_authorised_via_users_server: dave.id },
        { signedBy: ['other.org'] },
      ),
    expect: true,
  },
  {
    name: 'restricted: an injected signature check overrides signature presence',
    joinRule: 'restricted',
    event: (r) =>
      r.draft(carol, 'm.room.member', carol.id, {
        membership: 'join',
        join_authorised_via_users_server: mod.id,
      }),
    options: { isSignedBy: () => false },
    expect: /not signed/,
  },
  {
    name: 'join_authorised_via_users_server on a leave must be signed too (spec; Synapse: joins only)',
    event: (r) =>
      r.draft(bob, 'm.room.member', bob.id, {
        membership: 'leave',
        join_authorised_via_users_server: dave.id,
      }),
    expect: /not signed/,
  },
  {
    name: 'knock_restricted: knocking is allowed',
    joinRule: 'knock_restricted',
    event: member(carol.id, carol.id, 'knock'),
    expect: true,
  },
  {
    name: 'restricted: knocking is not',
    joinRule: 'restricted',
    event: member(carol.id, carol.id, 'knock'),
    expect: /does not allow knocking/,
  },
];

runMemberCases('joins', cases);

describe('the creator joining right after the create event', () => {
  for (const version of AUTH_VERSIONS) {
    test(`v${version}: the creator's first join is allowed with no join rules`, () => {
      const room = new RoomBuilder(version);
      room.create(alice);
      const join = room.draft(alice, 'm.room.member', alice.id, { membership: 'join' });
      assertVerdict(checkEventAuth(room.version, join, room.lookup()), true);
    });

    test(`v${version}: with two prev_events the shortcut does not apply`, () => {
      const room = new RoomBuilder(version);
      const create = room.create(alice);
      const other = room.send(alice, 'org.example.x', '', {}, { prev: [create] });
      const join = room.draft(
        alice,
        'm.room.member',
        alice.id,
        { membership: 'join' },
        { prev: [create, other] },
      );
      assertVerdict(checkEventAuth(room.version, join, room.lookup()), /not invited/);
    });

    test(`v${version}: someone else's first join is not the creator's`, () => {
      const room = new RoomBuilder(version);
      room.create(alice);
      const join = room.draft(bob, 'm.room.member', bob.id, { membership: 'join' });
      assertVerdict(checkEventAuth(room.version, join, room.lookup()), /not invited/);
    });
  }

  // v10 names the creator in content.creator; v11 and v12 use the sender and ignore the field.
  const creatorCases: Array<[AuthVersionId, string, true | RegExp]> = [
    ['10', bob.id, true],
    ['10', alice.id, /not invited/],
    ['11', bob.id, /not invited/],
    ['11', alice.id, true],
    ['12', bob.id, /not invited/],
    ['12', alice.id, true],
  ];
  for (const [version, joiner, expected] of creatorCases) {
    test(`v${version}: create by alice with content.creator bob; ${joiner} joins first`, () => {
      const room = new RoomBuilder(version);
      room.create(alice, { creator: bob.id });
      const join = room.draft(joiner, 'm.room.member', joiner, { membership: 'join' });
      assertVerdict(checkEventAuth(room.version, join, room.lookup()), expected);
    });
  }

  test('with no join rules event, an invited user may join (Synapse and gomatrixserverlib read it as invite)', () => {
    const room = new RoomBuilder('11');
    room.create(alice);
    room.join(alice);
    room.invite(alice, bob);
    const join = room.draft(bob, 'm.room.member', bob.id, { membership: 'join' });
    assertVerdict(checkEventAuth(room.version, join, room.lookup()), true);
    const stranger = room.draft(carol, 'm.room.member', carol.id, { membership: 'join' });
    assertVerdict(checkEventAuth(room.version, stranger, room.lookup()), /not invited/);
  });
});
