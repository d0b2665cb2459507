// Rule 1, the m.room.create event, in room versions 10, 11 and 12.

import { describe, test } from 'node:test';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import {
  type EventOptions,
  type LooseContent,
  RoomBuilder,
  testUser,
} from '../testing/room-builder.ts';
import { checkEventAuth } from './check-event-auth.ts';

const alice = testUser('alice');

interface Case {
  readonly name: string;
  readonly content?: LooseContent;
  readonly options?: (room: RoomBuilder) => EventOptions;
  readonly sender?: string;
  readonly expect: Partial<Record<AuthVersionId, true | RegExp>> & { all?: true | RegExp };
}

const cases: Case[] = [
  { name: 'a plain create event', expect: { all: true } },
  {
    name: 'with prev_events',
    options: () => ({ prev: ['$earlier'] }),
    expect: { all: /must not have prev_events/ },
  },
  {
    name: 'room_id on another server than the sender',
    options: () => ({ fields: { room_id: '!room:other.org' } }),
    expect: { '10': /room_id's server/, '11': /room_id's server/, '12': /must not have a room_id/ },
  },
  {
    name: 'room_id without a server',
    options: () => ({ fields: { room_id: '!room' } }),
    expect: { '10': /room_id's server/, '11': /room_id's server/, '12': /must not have a room_id/ },
  },
  {
    name: 'v12 with a room_id naming itself',
    options: () => ({ fields: { room_id: `!${'A'.repeat(43)}` } }),
    expect: { '10': /room_id's server/, '11': /room_id's server/, '12': /must not have a room_id/ },
  },
  {
    name: 'without creator',
    content: { creator: undefined },
    expect: { '10': /has no creator/, '11': true, '12': true },
  },
  {
    name: 'creator naming someone else',
    content: { creator: '@bob:example.org' },
    expect: { all: true },
  },
  {
    name: 'unknown room_version',
    content: { room_version: '999' },
    expect: { all: /unknown room version/ },
  },
  {
    name: 'numeric room_version',
    content: { room_version: 11 },
    expect: { all: /unknown room version/ },
  },
  { name: 'another known room_version', content: { room_version: '1' }, expect: { all: true } },
  {
    name: 'no room_version (means "1")',
    content: { room_version: undefined },
    expect: { all: true },
  },
  {
    name: 'valid additional_creators',
    content: { additional_creators: ['@bob:example.org', '@carol:other.org:8448'] },
    expect: { all: true },
  },
  {
    name: 'empty additional_creators',
    content: { additional_creators: [] },
    expect: { all: true },
  },
  {
    name: 'additional_creators not an array',
    content: { additional_creators: '@bob:example.org' },
    expect: { '10': true, '11': true, '12': /additional_creators/ },
  },
  {
    name: 'additional_creators with a non-string',
    content: { additional_creators: ['@bob:example.org', 7] },
    expect: { '10': true, '11': true, '12': /additional_creators/ },
  },
  {
    name: 'additional_creators with an invalid user id',
    content: { additional_creators: ['bob:example.org'] },
    expect: { '10': true, '11': true, '12': /additional_creators/ },
  },
  {
    name: 'additional_creators with a bad server name',
    content: { additional_creators: ['@bob:exa mple.org'] },
    expect: { '10': true, '11': true, '12': /additional_creators/ },
  },
];

for (const version of AUTH_VERSIONS) {
  describe(`m.room.create, room version ${version}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const room = new RoomBuilder(version);
        const event = room.create(c.sender ?? alice, c.content, c.options?.(room));
        const expected = c.expect[version] ?? c.expect.all;
        if (expected === undefined)
          throw new Error(`case ${c.name} has no expectation for v${version}`);
        // A create event needs no state: an empty lookup must do.
        assertVerdict(
          checkEventAuth(room.version, event, () => undefined),
          expected,
          c.name,
        );
      });
    }
  });
}
