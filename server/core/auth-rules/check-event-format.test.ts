// Format and size checks, room versions 10, 11 and 12 (and a glance at the legacy formats).

import { describe, test } from 'node:test';
import { encodeCanonicalJson } from '../canonical-json.ts';
import type { EventWithId, JsonObject, Pdu } from '../pdu.ts';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from '../testing/assert-auth.ts';
import { createStandardRoom, RoomBuilder, testUser } from '../testing/room-builder.ts';
import { checkEventFormat, MAX_PDU_BYTES } from './check-event-format.ts';

const alice = testUser('alice');
const bob = testUser('bob');

/** A change to a valid message event from bob. */
type Mutation = (pdu: JsonObject, room: RoomBuilder) => void;

interface Case {
  readonly name: string;
  readonly versions?: readonly AuthVersionId[];
  readonly mutate: Mutation;
  readonly eventId?: string;
  readonly expect: true | RegExp;
}

const set =
  (key: string, value: unknown): Mutation =>
  (pdu) => {
    pdu[key] = value as JsonObject;
  };
const remove =
  (key: string): Mutation =>
  (pdu) => {
    delete pdu[key];
  };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `$event${i}`);

const cases: Case[] = [
  { name: 'a valid event', mutate: () => {}, expect: true },
  { name: 'a valid state event', mutate: set('state_key', ''), expect: true },
  ...[
    'type',
    'sender',
    'content',
    'origin_server_ts',
    'depth',
    'hashes',
    'signatures',
    'prev_events',
    'auth_events',
    'room_id',
  ].map(
    (key): Case => ({
      name: `missing ${key}`,
      mutate: remove(key),
      expect: new RegExp(key.replace('_', '.')),
    }),
  ),
  { name: 'type not a string', mutate: set('type', 5), expect: /type must be a string/ },
  { name: 'type of 255 bytes', mutate: set('type', 't'.repeat(255)), expect: true },
  {
    name: 'type of 256 bytes',
    mutate: set('type', 't'.repeat(256)),
    expect: /type is over 255 bytes/,
  },
  { name: 'state_key of 255 bytes', mutate: set('state_key', 'k'.repeat(255)), expect: true },
  // 128 two-byte characters: 128 code units but 256 bytes.
  {
    name: 'state_key of 256 bytes in 128 characters',
    mutate: set('state_key', 'é'.repeat(128)),
    expect: /state_key is over 255 bytes/,
  },
  {
    name: 'state_key not a string',
    mutate: set('state_key', null),
    expect: /state_key must be a string/,
  },
  {
    name: 'sender without @',
    mutate: set('sender', 'bob:example.org'),
    expect: /sender is not a valid user id/,
  },
  {
    name: 'sender with a bad server name',
    mutate: set('sender', '@bob:exa_mple.org'),
    expect: /sender is not a valid user id/,
  },
  { name: 'historical sender localpart', mutate: set('sender', '@Bob!:example.org'), expect: true },
  {
    name: 'sender over 255 bytes',
    mutate: set('sender', `@${'b'.repeat(250)}:example.org`),
    expect: /sender is over 255 bytes/,
  },
  { name: 'room_id not a string', mutate: set('room_id', 1), expect: /room_id must be a string/ },
  {
    name: 'room_id without server',
    versions: ['10', '11'],
    mutate: set('room_id', '!abcdef'),
    expect: /room_id is malformed/,
  },
  {
    name: 'room_id with a server',
    versions: ['12'],
    mutate: set('room_id', '!abcdef:example.org'),
    expect: /room_id is malformed/,
  },
  {
    name: 'room_id over 255 bytes',
    mutate: set('room_id', `!${'r'.repeat(250)}:example.org`),
    expect: /room_id is over 255 bytes/,
  },
  {
    name: 'origin_server_ts a float',
    mutate: set('origin_server_ts', 1.5),
    expect: /not canonical JSON/,
  },
  {
    name: 'origin_server_ts a string',
    mutate: set('origin_server_ts', '1'),
    expect: /origin_server_ts/,
  },
  { name: 'negative depth', mutate: set('depth', -1), expect: /depth/ },
  { name: 'depth at 2^53-1', mutate: set('depth', 2 ** 53 - 1), expect: true },
  { name: 'depth beyond 2^53-1', mutate: set('depth', 2 ** 53), expect: /not canonical JSON/ },
  {
    name: 'content not an object',
    mutate: set('content', []),
    expect: /content must be an object/,
  },
  { name: 'float in content', mutate: set('content', { n: 0.5 }), expect: /not canonical JSON/ },
  { name: 'hashes without sha256', mutate: set('hashes', {}), expect: /hashes.sha256/ },
  {
    name: 'signatures not nested',
    mutate: set('signatures', { 'example.org': 'sig' }),
    expect: /signatures/,
  },
  { name: 'unsigned not an object', mutate: set('unsigned', 1), expect: /unsigned/ },
  { name: 'redacts not a string', mutate: set('redacts', 1), expect: /redacts/ },
  { name: '20 prev_events', mutate: set('prev_events', ids(20)), expect: true },
  {
    name: '21 prev_events',
    mutate: set('prev_events', ids(21)),
    expect: /prev_events has 21 entries/,
  },
  { name: '10 auth_events', mutate: set('auth_events', ids(10)), expect: true },
  {
    name: '11 auth_events',
    mutate: set('auth_events', ids(11)),
    expect: /auth_events has 11 entries/,
  },
  { name: 'prev_events not ids', mutate: set('prev_events', [5]), expect: /prev_events entries/ },
  {
    name: 'prev_events as legacy pairs',
    mutate: set('prev_events', [['$a', { sha256: 'x' }]]),
    expect: /prev_events entries/,
  },
  {
    name: 'the create event in auth_events',
    mutate: (pdu, room) => {
      pdu.auth_events = [
        ...(pdu.auth_events as string[]),
        room.lookup()('m.room.create', '')!.eventId,
      ];
    },
    // Before v12 it is required (checked by the auth rules, not here).
    expect: /must not list the m.room.create/,
    versions: ['12'],
  },
  {
    name: 'event id of 256 bytes',
    mutate: () => {},
    eventId: `$${'e'.repeat(255)}`,
    expect: /event_id is over 255 bytes/,
  },
];

function messagePdu(room: RoomBuilder): JsonObject {
  return structuredClone(
    room.draft(bob, 'm.room.message', undefined, { body: 'hi' }).pdu,
  ) as JsonObject;
}

for (const version of AUTH_VERSIONS) {
  describe(`event format, room version ${version}`, () => {
    for (const c of cases) {
      if (c.versions && !c.versions.includes(version)) continue;
      test(c.name, () => {
        const room = createStandardRoom(version, alice, { members: [bob] });
        const pdu = messagePdu(room);
        c.mutate(pdu, room);
        const event: EventWithId = { eventId: c.eventId ?? '$message', pdu: pdu as Pdu };
        assertVerdict(checkEventFormat(room.version, event), c.expect, c.name);
      });
    }

    test('an event of exactly 65536 bytes passes and one more byte fails', () => {
      const room = createStandardRoom(version, alice, { members: [bob] });
      const pdu = messagePdu(room);
      pdu.content = { body: '' };
      const base = encodeCanonicalJson(pdu).length;
      pdu.content = { body: 'x'.repeat(MAX_PDU_BYTES - base) };
      assertVerdict(checkEventFormat(room.version, { eventId: '$big', pdu: pdu as Pdu }), true);
      pdu.content = { body: 'x'.repeat(MAX_PDU_BYTES - base + 1) };
      assertVerdict(
        checkEventFormat(room.version, { eventId: '$big', pdu: pdu as Pdu }),
        /65537 bytes/,
      );
    });

    test('the create event', () => {
      const room = new RoomBuilder(version);
      const create = room.create(alice);
      assertVerdict(checkEventFormat(room.version, create), true);
    });
  });
}

describe('legacy event formats', () => {
  test('v1 events carry event_id and cite [id, hashes] pairs', () => {
    const room = createStandardRoom('1', alice, { members: [bob] });
    const event = room.draft(bob, 'm.room.message', undefined, { body: 'hi' });
    assertVerdict(checkEventFormat(room.version, event), true);
    const withoutId = { ...event, pdu: { ...event.pdu, event_id: undefined } as unknown as Pdu };
    delete (withoutId.pdu as JsonObject).event_id;
    assertVerdict(checkEventFormat(room.version, withoutId), /needs event_id/);
  });

  test('v5 accepts floats, v6 does not', () => {
    for (const [version, expected] of [
      ['5', true],
      ['6', /not canonical JSON/],
    ] as const) {
      const room = createStandardRoom(version, alice, { members: [bob] });
      const event = room.draft(bob, 'm.room.message', undefined, { n: 0.5 });
      assertVerdict(checkEventFormat(room.version, event), expected, `v${version}`);
    }
  });
});
