// Membership transitions other than join (invite, leave, ban, knock) in room versions 10, 11
// and 12: for every rule a case that passes and one that fails. Joins: member-join.test.ts;
// third-party invites: third-party-invite.test.ts.

import {
  alice,
  bob,
  carol,
  dave,
  type MemberCase,
  member,
  mod,
  runMemberCases,
} from '../testing/member-cases.ts';

const cases: MemberCase[] = [
  // Rule: a member event needs a state_key and a membership.
  {
    name: 'no membership',
    event: (r) => r.draft(bob, 'm.room.member', bob.id, {}),
    expect: /membership/,
  },
  {
    name: 'no state_key',
    event: (r) => r.draft(bob, 'm.room.member', undefined, { membership: 'join' }),
    expect: /state_key/,
  },
  {
    name: 'unknown membership',
    event: member(bob.id, bob.id, 'dance'),
    expect: /unknown membership/,
  },

  // invite
  { name: 'creator invites', event: member(alice.id, carol.id, 'invite'), expect: true },
  {
    name: 'member invites at the default level 0',
    event: member(bob.id, carol.id, 'invite'),
    expect: true,
  },
  {
    name: 'member below the invite level',
    powerLevels: { invite: 50 },
    event: member(bob.id, carol.id, 'invite'),
    expect: /cannot invite/,
  },
  {
    name: 'inviter not joined',
    event: member(carol.id, dave.id, 'invite'),
    expect: /inviter is not joined/,
  },
  {
    name: 'invite a joined user',
    event: member(alice.id, bob.id, 'invite'),
    expect: /membership is join/,
  },
  {
    name: 'invite a banned user',
    setup: (r) => r.ban(alice, carol),
    event: member(alice.id, carol.id, 'invite'),
    expect: /membership is ban/,
  },
  {
    name: 're-invite an invited user',
    setup: (r) => r.invite(alice, carol),
    event: member(mod.id, carol.id, 'invite'),
    expect: true,
  },

  // leave
  { name: 'member leaves', event: member(bob.id, bob.id, 'leave'), expect: true },
  {
    name: 'invitee rejects the invite',
    setup: (r) => r.invite(alice, carol),
    event: member(carol.id, carol.id, 'leave'),
    expect: true,
  },
  {
    name: 'knocker withdraws the knock',
    joinRule: 'knock',
    setup: (r) => r.knock(carol),
    event: member(carol.id, carol.id, 'leave'),
    expect: true,
  },
  {
    name: 'stranger cannot leave',
    event: member(carol.id, carol.id, 'leave'),
    expect: /cannot leave/,
  },
  {
    name: 'banned user cannot unban themselves by leaving',
    setup: (r) => r.ban(alice, bob),
    event: member(bob.id, bob.id, 'leave'),
    expect: /cannot leave/,
  },
  { name: 'creator kicks a member', event: member(alice.id, bob.id, 'leave'), expect: true },
  { name: 'moderator kicks a member', event: member(mod.id, bob.id, 'leave'), expect: true },
  {
    name: 'member below the kick level',
    event: member(bob.id, mod.id, 'leave'),
    expect: /cannot kick/,
  },
  {
    name: 'kick a user of higher level',
    event: member(mod.id, alice.id, 'leave'),
    expect: /cannot kick/,
  },
  {
    name: 'kick a user of equal level',
    powerLevels: { users: { [bob.id]: 50 } },
    event: member(mod.id, bob.id, 'leave'),
    expect: /cannot kick/,
  },
  {
    name: 'kicker not joined',
    event: member(carol.id, bob.id, 'leave'),
    expect: /sender is not joined/,
  },
  {
    name: 'unban at the ban level',
    setup: (r) => r.ban(alice, carol),
    event: member(mod.id, carol.id, 'leave'),
    expect: true,
  },
  {
    name: 'unban needs the ban level as well as the kick level',
    powerLevels: { ban: 75 },
    setup: (r) => r.ban(alice, carol),
    event: member(mod.id, carol.id, 'leave'),
    expect: /cannot unban/,
  },

  // ban
  { name: 'creator bans a member', event: member(alice.id, bob.id, 'ban'), expect: true },
  { name: 'moderator bans a stranger', event: member(mod.id, carol.id, 'ban'), expect: true },
  {
    name: 'member below the ban level',
    event: member(bob.id, carol.id, 'ban'),
    expect: /cannot ban/,
  },
  {
    name: 'ban a user of higher level',
    event: member(mod.id, alice.id, 'ban'),
    expect: /cannot ban/,
  },
  {
    name: 'banner not joined',
    event: member(carol.id, bob.id, 'ban'),
    expect: /sender is not joined/,
  },

  // knock
  {
    name: 'knock on a knock room',
    joinRule: 'knock',
    event: member(carol.id, carol.id, 'knock'),
    expect: true,
  },
  {
    name: 'knock on a public room',
    event: member(carol.id, carol.id, 'knock'),
    expect: /does not allow knocking/,
  },
  {
    name: 'knock on an invite room',
    joinRule: 'invite',
    event: member(carol.id, carol.id, 'knock'),
    expect: /does not allow knocking/,
  },
  {
    name: 'knock for someone else',
    joinRule: 'knock',
    event: member(bob.id, carol.id, 'knock'),
    expect: /behalf/,
  },
  {
    name: 'knock while joined',
    joinRule: 'knock',
    event: member(bob.id, bob.id, 'knock'),
    expect: /membership join/,
  },
  {
    name: 'knock while invited',
    joinRule: 'knock',
    setup: (r) => r.invite(alice, carol),
    event: member(carol.id, carol.id, 'knock'),
    expect: /membership invite/,
  },
  {
    name: 'knock while banned',
    joinRule: 'knock',
    setup: (r) => r.ban(alice, carol),
    event: member(carol.id, carol.id, 'knock'),
    expect: /membership ban/,
  },
  {
    name: 'knock again after leaving',
    joinRule: 'knock',
    setup: (r) => r.leave(bob),
    event: member(bob.id, bob.id, 'knock'),
    expect: true,
  },
];

runMemberCases('member rules', cases);
