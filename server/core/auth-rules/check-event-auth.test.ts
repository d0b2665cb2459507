// The rules outside membership and power levels changes: the create event in state, v12's room
// id, m.federate, the sender's membership, m.room.third_party_invite, required power levels, and
// state keys naming users. Run in room versions 10, 11 and 12.

import { describe, test } from 'node:test';
import type { EventWithId } from '../pdu.ts';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import {
  createStandardRoom,
  type LooseContent,
  type RoomBuilder,
  testUser,
} from '../testing/room-builder.ts';
import type { AuthOptions } from './auth-types.ts';
import { checkEventAuth } from './check-event-auth.ts';

const alice = testUser('alice');
const mod = testUser('mod');
const bob = testUser('bob');
const carol = testUser('carol');
const dave = testUser('dave', 'other.org');

interface Case {
  readonly name: string;
  readonly versions?: readonly AuthVersionId[];
  readonly powerLevels?: LooseContent;
  readonly createContent?: LooseContent;
  readonly setup?: (room: RoomBuilder) => void;
  readonly event: (room: RoomBuilder) => EventWithId;
  readonly options?: (room: RoomBuilder) => AuthOptions;
  readonly expect: true | RegExp;
}

const cases: Case[] = [
  // The sender must be joined (rule 6 in v12, 5 before).
  { name: 'member sends a message', event: (r) => r.message(bob), expect: true },
  {
    name: 'stranger sends a message',
    event: (r) => r.draft(carol, 'm.room.message', undefined, {}),
    expect: /not joined/,
  },
  {
    name: 'invited user sends a message',
    setup: (r) => r.invite(alice, carol),
    event: (r) => r.draft(carol, 'm.room.message', undefined, {}),
    expect: /not joined/,
  },
  {
    name: 'former member sends a message',
    setup: (r) => r.leave(bob),
    event: (r) => r.draft(bob, 'm.room.message', undefined, {}),
    expect: /not joined/,
  },

  // m.room.third_party_invite needs the invite level, not its event level.
  {
    name: 'third-party invite at the invite level',
    powerLevels: { events: { 'm.room.third_party_invite': 100 } },
    event: (r) => r.draft(bob, 'm.room.third_party_invite', 'token', { display_name: 'x' }),
    expect: true,
  },
  {
    name: 'third-party invite below the invite level',
    powerLevels: { invite: 50 },
    event: (r) => r.draft(bob, 'm.room.third_party_invite', 'token', { display_name: 'x' }),
    expect: /cannot invite/,
  },
  {
    name: 'third-party invite by a stranger',
    event: (r) => r.draft(carol, 'm.room.third_party_invite', 'token', { display_name: 'x' }),
    expect: /not joined/,
  },

  // Required power level (rule 8 in v12, 7 before).
  {
    name: 'state event below state_default',
    event: (r) => r.draft(bob, 'm.room.topic', '', { topic: 't' }),
    expect: /needs power level 50/,
  },
  {
    name: 'state event at state_default',
    event: (r) => r.draft(mod, 'm.room.topic', '', { topic: 't' }),
    expect: true,
  },
  {
    name: 'state event with its own lower level',
    powerLevels: { events: { 'm.room.topic': 0 } },
    event: (r) => r.draft(bob, 'm.room.topic', '', { topic: 't' }),
    expect: true,
  },
  {
    name: 'message below events_default',
    powerLevels: { events_default: 10 },
    event: (r) => r.message(bob),
    expect: /needs power level 10/,
  },
  {
    name: 'message type with its own higher level',
    powerLevels: { events: { 'm.reaction': 60 } },
    event: (r) => r.draft(mod, 'm.reaction', undefined, {}),
    expect: /needs power level 60/,
  },
  {
    name: 'redaction is only subject to its event level (not the redact level)',
    powerLevels: { redact: 100 },
    event: (r) => redaction(r, bob, '$whatever'),
    expect: true,
  },
  {
    name: 'redaction with a raised event level',
    powerLevels: { events: { 'm.room.redaction': 50 } },
    event: (r) => redaction(r, bob, '$whatever'),
    expect: /needs power level 50/,
  },

  // State keys that name a user (rule 9 in v12, 8 before).
  {
    name: "state key of another user's id",
    powerLevels: { state_default: 0 },
    event: (r) => r.draft(bob, 'org.example.status', alice.id, {}),
    expect: /starting with @/,
  },
  {
    name: "state key of the sender's own id",
    powerLevels: { state_default: 0 },
    event: (r) => r.draft(bob, 'org.example.status', bob.id, {}),
    expect: true,
  },
  {
    name: 'state key that merely starts with the sender id',
    powerLevels: { state_default: 0 },
    event: (r) => r.draft(bob, 'org.example.status', `${bob.id}_phone`, {}),
    expect: /starting with @/,
  },

  // m.federate (rule 4 in v12, 3 before): compares the sender's server with the create sender's.
  {
    name: 'non-federating room: a remote user joins',
    createContent: { 'm.federate': false },
    event: (r) => r.draft(dave, 'm.room.member', dave.id, { membership: 'join' }),
    expect: /does not federate/,
  },
  {
    name: 'non-federating room: a local user joins',
    createContent: { 'm.federate': false },
    event: (r) => r.draft(carol, 'm.room.member', carol.id, { membership: 'join' }),
    expect: true,
  },
  {
    name: 'non-federating room: a local user invites a remote one',
    createContent: { 'm.federate': false },
    event: (r) => r.draft(bob, 'm.room.member', dave.id, { membership: 'invite' }),
    expect: true,
  },
  {
    name: 'm.federate true: a remote user joins',
    createContent: { 'm.federate': true },
    event: (r) => r.draft(dave, 'm.room.member', dave.id, { membership: 'join' }),
    expect: true,
  },
  {
    name: 'm.federate "false" (a string) is not false',
    createContent: { 'm.federate': 'false' },
    event: (r) => r.draft(dave, 'm.room.member', dave.id, { membership: 'join' }),
    expect: true,
  },

  // v12: the room id names an accepted create event (rule 2).
  {
    name: 'v12: room_id of another room',
    versions: ['12'],
    event: (r) =>
      r.draft(bob, 'm.room.message', undefined, {}, { fields: { room_id: `!${'A'.repeat(43)}` } }),
    expect: /room_id does not name the m.room.create/,
  },
  {
    name: 'v12: the create event was rejected',
    versions: ['12'],
    event: (r) => r.message(bob),
    options: (r) => ({ isRejected: (id) => id === r.lookup()('m.room.create', '')?.eventId }),
    expect: /m.room.create event was rejected/,
  },
  {
    name: 'v10/v11: a room_id not matching the create is not checked here (auth_events rule)',
    versions: ['10', '11'],
    event: (r) =>
      r.draft(bob, 'm.room.message', undefined, {}, { fields: { room_id: '!other:example.org' } }),
    expect: true,
  },
];

function redaction(room: RoomBuilder, sender: typeof bob, target: string): EventWithId {
  return room.version.redactsInContent
    ? room.draft(sender, 'm.room.redaction', undefined, { redacts: target })
    : room.draft(sender, 'm.room.redaction', undefined, {}, { fields: { redacts: target } });
}

for (const version of AUTH_VERSIONS) {
  describe(`general rules, room version ${version}`, () => {
    for (const c of cases) {
      if (c.versions && !c.versions.includes(version)) continue;
      test(c.name, () => {
        const room = createStandardRoom(version, alice, {
          members: [mod, bob],
          createContent: c.createContent,
          powerLevels: { ...c.powerLevels, users: { [mod.id]: 50 } },
        });
        c.setup?.(room);
        const result = checkEventAuth(
          room.version,
          c.event(room),
          room.lookup(),
          c.options?.(room),
        );
        assertVerdict(result, c.expect, c.name);
      });
    }

    test('no create event in the state', () => {
      const room = createStandardRoom(version, alice, { members: [bob] });
      const state = room.lookup();
      const withoutCreate = (type: string, key: string) =>
        type === 'm.room.create' ? undefined : state(type, key);
      assertVerdict(
        checkEventAuth(room.version, room.message(bob), withoutCreate),
        /no m.room.create/,
      );
    });

    test('without power levels, the creator may send state and others may not', () => {
      const room = createStandardRoom(version, alice, { members: [bob] });
      const state = room.lookup();
      const withoutPowerLevels = (type: string, key: string) =>
        type === 'm.room.power_levels' ? undefined : state(type, key);
      const byAlice = room.draft(alice, 'm.room.name', '', { name: 'n' });
      const byBob = room.draft(bob, 'm.room.name', '', { name: 'n' });
      assertVerdict(checkEventAuth(room.version, byAlice, withoutPowerLevels), true);
      assertVerdict(
        checkEventAuth(room.version, byBob, withoutPowerLevels),
        /needs power level 50/,
      );
    });
  });
}
