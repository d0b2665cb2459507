// m.room.power_levels changes in room versions 10, 11 and 12 (and a glance at 9, where strings
// were still accepted).

import { describe, test } from 'node:test';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import {
  createStandardRoom,
  type LooseContent,
  RoomBuilder,
  testUser,
} from '../testing/room-builder.ts';
import { checkEventAuth } from './check-event-auth.ts';

const alice = testUser('alice');
const mod = testUser('mod');
const bob = testUser('bob');
const carol = testUser('carol');

/** The current power levels every case starts from (alice is added before v12). */
const CURRENT: LooseContent = {
  users: { [mod.id]: 50, [bob.id]: 0 },
  events: { 'm.room.power_levels': 50, 'm.room.tombstone': 75 },
  notifications: { room: 50 },
  kick: 75,
};

interface Case {
  readonly name: string;
  readonly versions?: readonly AuthVersionId[];
  readonly sender: string;
  /** The new content, applied over CURRENT (users, events and notifications replaced whole). */
  readonly change: (current: Record<string, unknown>) => LooseContent;
  readonly expect: true | RegExp;
}

const withUsers = (users: Record<string, number>) => (current: Record<string, unknown>) => ({
  users: { ...(current.users as object), ...users },
});

const cases: Case[] = [
  // Shape (rules 10.1 to 10.3; 9.1 to 9.3 before v12).
  { name: 'no change at all', sender: mod.id, change: () => ({}), expect: true },
  {
    name: 'string top-level level',
    sender: alice.id,
    change: () => ({ ban: '50' }),
    expect: /ban is not an integer/,
  },
  {
    name: 'float top-level level',
    sender: alice.id,
    change: () => ({ ban: 50.5 }),
    expect: /ban is not an integer/,
  },
  {
    name: 'null top-level level',
    sender: alice.id,
    change: () => ({ invite: null }),
    expect: /invite is not an integer/,
  },
  {
    name: 'string in events',
    sender: alice.id,
    change: () => ({ events: { 'm.room.name': '50' } }),
    expect: /events is not an object of integers/,
  },
  {
    name: 'events not an object',
    sender: alice.id,
    change: () => ({ events: [] }),
    expect: /events is not an object/,
  },
  {
    name: 'notifications not an object',
    sender: alice.id,
    change: () => ({ notifications: 50 }),
    expect: /notifications is not an object/,
  },
  {
    name: 'users not an object',
    sender: alice.id,
    change: () => ({ users: 'all' }),
    expect: /users is not an object/,
  },
  {
    name: 'string in users',
    sender: alice.id,
    change: withUsers({ [carol.id]: '10' as unknown as number }),
    expect: /users is not an object of integers/,
  },
  {
    name: 'invalid user id in users',
    sender: alice.id,
    change: withUsers({ 'carol:example.org': 10 }),
    expect: /invalid user id/,
  },
  {
    name: 'historical user id in users',
    sender: alice.id,
    change: withUsers({ '@Carol:example.org': 10 }),
    expect: true,
  },

  // Top-level levels (10.6).
  { name: 'lower ban to own level', sender: mod.id, change: () => ({ ban: 40 }), expect: true },
  {
    name: 'raise ban above own level',
    sender: mod.id,
    change: () => ({ ban: 60 }),
    expect: /set ban above/,
  },
  {
    name: 'change kick from above own level',
    sender: mod.id,
    change: () => ({ kick: 10 }),
    expect: /change kick from/,
  },
  {
    name: 'remove kick from above own level',
    sender: mod.id,
    change: () => ({ kick: undefined }),
    expect: /change kick from/,
  },
  { name: 'creator changes kick', sender: alice.id, change: () => ({ kick: 10 }), expect: true },
  { name: 'add invite at own level', sender: mod.id, change: () => ({ invite: 50 }), expect: true },

  // events and notifications (10.7, 10.8).
  {
    name: 'add an event level at own level',
    sender: mod.id,
    change: (c) => ({ events: { ...(c.events as object), 'm.room.name': 50 } }),
    expect: true,
  },
  {
    name: 'add an event level above own level',
    sender: mod.id,
    change: (c) => ({ events: { ...(c.events as object), 'm.room.name': 51 } }),
    expect: /set events\["m.room.name"\] above/,
  },
  {
    name: 'change an event level from above own level',
    sender: mod.id,
    change: () => ({ events: { 'm.room.power_levels': 50, 'm.room.tombstone': 50 } }),
    expect: /change events\["m.room.tombstone"\]/,
  },
  {
    name: 'remove an event level from above own level',
    sender: mod.id,
    change: () => ({ events: { 'm.room.power_levels': 50 } }),
    expect: /change events\["m.room.tombstone"\]/,
  },
  {
    name: 'lower a notification level',
    sender: mod.id,
    change: () => ({ notifications: { room: 20 } }),
    expect: true,
  },
  {
    name: 'raise a notification level above own level',
    sender: mod.id,
    change: () => ({ notifications: { room: 100 } }),
    expect: /set notifications\["room"\] above/,
  },

  // users (10.9, 10.10).
  {
    name: 'promote a member to own level',
    sender: mod.id,
    change: withUsers({ [bob.id]: 50 }),
    expect: true,
  },
  {
    name: 'promote a member above own level',
    sender: mod.id,
    change: withUsers({ [bob.id]: 51 }),
    expect: /set users/,
  },
  {
    name: 'promote oneself',
    sender: mod.id,
    change: withUsers({ [mod.id]: 60 }),
    expect: /set users/,
  },
  { name: 'demote oneself', sender: mod.id, change: withUsers({ [mod.id]: 10 }), expect: true },
  {
    name: 'add a stranger below own level',
    sender: mod.id,
    change: withUsers({ [carol.id]: 20 }),
    expect: true,
  },
  {
    name: 'remove a lower member',
    sender: mod.id,
    change: (c) => {
      const users = { ...(c.users as Record<string, number>) };
      delete users[bob.id];
      return { users };
    },
    expect: true,
  },
  {
    name: 'add a stranger at own level',
    sender: mod.id,
    change: withUsers({ [carol.id]: 50 }),
    expect: true,
  },
];

function roomFor(version: AuthVersionId): RoomBuilder {
  return createStandardRoom(version, alice, { members: [mod, bob], powerLevels: CURRENT });
}

for (const version of AUTH_VERSIONS) {
  describe(`power levels changes, room version ${version}`, () => {
    for (const c of cases) {
      if (c.versions && !c.versions.includes(version)) continue;
      test(c.name, () => {
        const room = roomFor(version);
        const current = room.get(room.stateAfter().get('m.room.power_levels\u0000')!).pdu.content;
        const content = { ...current, ...c.change(current) };
        const event = room.draft(c.sender, 'm.room.power_levels', '', content);
        assertVerdict(checkEventAuth(room.version, event, room.lookup()), c.expect, c.name);
      });
    }

    test('a peer at the same level cannot be demoted', () => {
      const room = createStandardRoom(version, alice, {
        members: [mod, bob],
        powerLevels: { ...CURRENT, users: { [mod.id]: 50, [bob.id]: 50 } },
      });
      const current = room.get(room.stateAfter().get('m.room.power_levels\u0000')!).pdu.content;
      const users = { ...(current.users as object), [bob.id]: 0 };
      const event = room.draft(mod, 'm.room.power_levels', '', { ...current, users });
      assertVerdict(checkEventAuth(room.version, event, room.lookup()), /change users/);
    });

    // An absent `redact` is 50 by default, so a sender at 40 may neither add nor remove it: the
    // reading of ruma and gomatrixserverlib (Synapse compares only values actually present).
    test('adding or removing a level counts its default as the other side', () => {
      const room = createStandardRoom(version, alice, {
        members: [bob],
        powerLevels: { users: { [bob.id]: 40 }, events: { 'm.room.power_levels': 40 } },
      });
      const current = room.get(room.stateAfter().get('m.room.power_levels\u0000')!).pdu.content;
      const add = room.draft(bob, 'm.room.power_levels', '', { ...current, redact: 30 });
      assertVerdict(checkEventAuth(room.version, add, room.lookup()), /change redact from/);
      const addInvite = room.draft(bob, 'm.room.power_levels', '', { ...current, invite: 30 });
      assertVerdict(checkEventAuth(room.version, addInvite, room.lookup()), true);
    });

    test('the first power levels event may say anything well formed', () => {
      const room = new RoomBuilder(version);
      room.create(alice);
      room.join(alice);
      const event = room.draft(alice, 'm.room.power_levels', '', {
        users: { [bob.id]: 1000 },
        ban: 1000,
        events: { 'm.room.name': 1000 },
      });
      assertVerdict(checkEventAuth(room.version, event, room.lookup()), true);
      const stringy = room.draft(alice, 'm.room.power_levels', '', { ban: '1000' });
      assertVerdict(checkEventAuth(room.version, stringy, room.lookup()), /ban is not an integer/);
    });

    test('sending power levels needs its own event level', () => {
      const room = roomFor(version);
      const current = room.get(room.stateAfter().get('m.room.power_levels\u0000')!).pdu.content;
      const event = room.draft(bob, 'm.room.power_levels', '', { ...current });
      assertVerdict(checkEventAuth(room.version, event, room.lookup()), /needs power level 50/);
    });
  });
}

describe('power levels in room version 9 (before integer-only levels)', () => {
  test('string levels are accepted and compared as integers', () => {
    const room = createStandardRoom('9', alice, {
      members: [mod],
      powerLevels: { users: { [mod.id]: '50' } },
    });
    const event = room.draft(mod, 'm.room.power_levels', '', {
      users: { [alice.id]: 100, [mod.id]: ' +050 ' },
      ban: '40',
    });
    assertVerdict(checkEventAuth(room.version, event, room.lookup()), true);
    const tooHigh = room.draft(mod, 'm.room.power_levels', '', {
      users: { [alice.id]: 100, [mod.id]: '50' },
      ban: '60',
    });
    assertVerdict(checkEventAuth(room.version, tooHigh, room.lookup()), /set ban above/);
  });

  test('a non-integer string in users is refused', () => {
    const room = createStandardRoom('9', alice);
    const event = room.draft(alice, 'm.room.power_levels', '', { users: { [alice.id]: 'lots' } });
    assertVerdict(
      checkEventAuth(room.version, event, room.lookup()),
      /users is not an object of integers/,
    );
  });
});
