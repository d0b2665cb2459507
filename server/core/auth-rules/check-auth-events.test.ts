// The rules on the auth_events list (v12 rules 2 and 3; rule 2 before), and the whole check "based
// on the event's auth events" done on receipt of a PDU.

import { describe, test } from 'node:test';
import type { EventWithId } from '../pdu.ts';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import { createStandardRoom, type RoomBuilder, testUser } from '../testing/room-builder.ts';
import { checkAuthEvents } from './check-auth-events.ts';
import { checkEventAgainstAuthEvents } from './check-event-auth.ts';

const alice = testUser('alice');
const bob = testUser('bob');
const carol = testUser('carol');

type Expect = true | RegExp;

interface Case {
  readonly name: string;
  readonly versions?: readonly AuthVersionId[];
  /** Builds the event; `ids` are the events of the standard room. */
  readonly event: (room: RoomBuilder, ids: RoomIds) => EventWithId;
  readonly rejected?: (ids: RoomIds) => string[];
  readonly expect: Expect;
}

interface RoomIds {
  readonly create: string;
  readonly powerLevels: string;
  readonly joinRules: string;
  readonly aliceJoin: string;
  readonly bobJoin: string;
}

function standardRoom(version: AuthVersionId): { room: RoomBuilder; ids: RoomIds } {
  const room = createStandardRoom(version, alice, { members: [bob] });
  const state = room.lookup();
  const id = (type: string, key = '') => state(type, key)!.eventId;
  return {
    room,
    ids: {
      create: id('m.room.create'),
      powerLevels: id('m.room.power_levels'),
      joinRules: id('m.room.join_rules'),
      aliceJoin: id('m.room.member', alice.id),
      bobJoin: id('m.room.member', bob.id),
    },
  };
}

/** auth_events with the create event prepended before v12, where it must be listed. */
function citing(room: RoomBuilder, ids: RoomIds, ...rest: string[]): string[] {
  return room.version.roomIdFromCreateEvent ? rest : [ids.create, ...rest];
}

const cases: Case[] = [
  {
    name: 'selected auth events',
    event: (r) => r.draft(bob, 'm.room.message', undefined, {}),
    expect: true,
  },
  {
    name: 'fewer than selected (no power levels)',
    event: (r, ids) =>
      r.draft(bob, 'm.room.message', undefined, {}, { auth: citing(r, ids, ids.bobJoin) }),
    expect: true,
  },
  {
    name: 'the same pair twice',
    event: (r, ids) =>
      r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        { auth: citing(r, ids, ids.bobJoin, ids.bobJoin) },
      ),
    expect: /twice/,
  },
  {
    name: 'two power levels events',
    event: (r, ids) => {
      const older = r.powerLevels(alice, { users: { [alice.id]: 100 } });
      return r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        {
          auth: citing(r, ids, ids.powerLevels, older.eventId, ids.bobJoin),
        },
      );
    },
    expect: /twice/,
  },
  {
    name: 'join rules cited by a message',
    event: (r, ids) =>
      r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        { auth: citing(r, ids, ids.bobJoin, ids.joinRules) },
      ),
    expect: /not one the event may cite/,
  },
  {
    name: "another user's member event cited by a message",
    event: (r, ids) =>
      r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        { auth: citing(r, ids, ids.bobJoin, ids.aliceJoin) },
      ),
    expect: /not one the event may cite/,
  },
  {
    name: 'a message event cited',
    event: (r, ids) => {
      const message = r.message(alice);
      return r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        {
          auth: citing(r, ids, ids.bobJoin, message.eventId),
        },
      );
    },
    expect: /not one the event may cite/,
  },
  {
    name: 'join rules cited by a kick (leave)',
    event: (r, ids) =>
      r.draft(
        alice,
        'm.room.member',
        bob.id,
        { membership: 'leave' },
        {
          auth: citing(r, ids, ids.powerLevels, ids.aliceJoin, ids.bobJoin, ids.joinRules),
        },
      ),
    expect: /not one the event may cite/,
  },
  {
    name: 'join rules cited by a join',
    event: (r, ids) =>
      r.draft(
        carol,
        'm.room.member',
        carol.id,
        { membership: 'join' },
        {
          auth: citing(r, ids, ids.powerLevels, ids.joinRules),
        },
      ),
    expect: true,
  },
  {
    name: 'a rejected auth event',
    event: (r) => r.draft(bob, 'm.room.message', undefined, {}),
    rejected: (ids) => [ids.powerLevels],
    expect: /was rejected/,
  },
  {
    name: 'an unknown auth event',
    event: (r, ids) =>
      r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        { auth: citing(r, ids, ids.bobJoin, '$missing') },
      ),
    expect: /unknown/,
  },
  {
    name: 'v10/v11: no create event',
    versions: ['10', '11'],
    event: (r, ids) =>
      r.draft(bob, 'm.room.message', undefined, {}, { auth: [ids.powerLevels, ids.bobJoin] }),
    expect: /no m.room.create/,
  },
  {
    name: 'v12: the create event listed',
    versions: ['12'],
    event: (r, ids) =>
      r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        { auth: [ids.create, ids.powerLevels, ids.bobJoin] },
      ),
    expect: /not one the event may cite/,
  },
  {
    name: 'v12: the create event rejected',
    versions: ['12'],
    event: (r) => r.draft(bob, 'm.room.message', undefined, {}),
    rejected: (ids) => [ids.create],
    expect: /m.room.create event was rejected/,
  },
  {
    name: 'v12: room_id naming no known create event',
    versions: ['12'],
    event: (r) =>
      r.draft(bob, 'm.room.message', undefined, {}, { fields: { room_id: `!${'B'.repeat(43)}` } }),
    expect: /does not name a known m.room.create/,
  },
  {
    name: 'an auth event of another room',
    event: (r, ids) => {
      const other = createStandardRoom(r.version, alice, {
        tag: 'x',
        roomId: '!other:example.org',
      });
      const foreign = other.lookup()('m.room.power_levels', '')!;
      r.events.set(foreign.eventId, foreign);
      return r.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        {
          auth: citing(r, ids, foreign.eventId, ids.bobJoin),
        },
      );
    },
    expect: /belongs to another room/,
  },
  {
    name: 'the create event needs no auth events',
    event: (r) => r.get(r.lookup()('m.room.create', '')!),
    expect: true,
  },
];

for (const version of AUTH_VERSIONS) {
  describe(`auth_events list, room version ${version}`, () => {
    for (const c of cases) {
      if (c.versions && !c.versions.includes(version)) continue;
      test(c.name, () => {
        const { room, ids } = standardRoom(version);
        for (const id of c.rejected?.(ids) ?? []) room.rejected.add(id);
        const event = c.event(room, ids);
        const result = checkAuthEvents(room.version, event, room.fetch, {
          isRejected: room.isRejected,
        });
        assertVerdict(result, c.expect, c.name);
      });
    }
  });

  describe(`checkEventAgainstAuthEvents, room version ${version}`, () => {
    test('an event its auth events allow', () => {
      const { room } = standardRoom(version);
      const event = room.draft(bob, 'm.room.message', undefined, {});
      assertVerdict(checkEventAgainstAuthEvents(room.version, event, room.fetch), true);
    });

    test('a list refusal comes first', () => {
      const { room, ids } = standardRoom(version);
      const event = room.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        {
          auth: citing(room, ids, ids.bobJoin, ids.joinRules),
        },
      );
      assertVerdict(
        checkEventAgainstAuthEvents(room.version, event, room.fetch),
        /not one the event may cite/,
      );
    });

    test('auth events that do not grant the power the event needs', () => {
      const { room } = standardRoom(version);
      const event = room.draft(bob, 'm.room.name', '', { name: 'n' });
      assertVerdict(
        checkEventAgainstAuthEvents(room.version, event, room.fetch),
        /needs power level 50/,
      );
    });

    test('citing an old membership: the state of the auth events is what counts', () => {
      const { room, ids } = standardRoom(version);
      room.leave(bob);
      // Bob's message cites his old join although he has left: allowed against its auth events
      // (the state before the event is where it fails; that is the caller's next check).
      const event = room.draft(
        bob,
        'm.room.message',
        undefined,
        {},
        {
          auth: citing(room, ids, ids.powerLevels, ids.bobJoin),
        },
      );
      assertVerdict(checkEventAgainstAuthEvents(room.version, event, room.fetch), true);
    });

    test('without power levels among the auth events, the creator keeps power', () => {
      const { room, ids } = standardRoom(version);
      const event = room.draft(
        alice,
        'm.room.name',
        '',
        { name: 'n' },
        { auth: citing(room, ids, ids.aliceJoin) },
      );
      assertVerdict(checkEventAgainstAuthEvents(room.version, event, room.fetch), true);
    });
  });
}
