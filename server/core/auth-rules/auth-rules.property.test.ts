// Properties over generated events: outsiders can only join, knock or leave for themselves, and no
// input, however malformed, makes a rule throw.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { EventWithId, JsonObject, Pdu } from '../pdu.ts';
import { getRoomVersion } from '../room-versions.ts';
import { AUTH_VERSIONS } from '../testing/assert-auth.ts';
import { createStandardRoom, type RoomBuilder, testUser } from '../testing/room-builder.ts';
import { checkAuthEvents } from './check-auth-events.ts';
import { checkEventAuth } from './check-event-auth.ts';
import { checkEventFormat } from './check-event-format.ts';

const alice = testUser('alice');
const mod = testUser('mod');
const bob = testUser('bob');
// Never joined, invited, left, banned, knocked: every way of not being a member.
const outsiders = ['carol', 'erin', 'frank', 'gina', 'hank'].map((name) => testUser(name));
const everyone = [alice, mod, bob, ...outsiders, testUser('remote', 'other.org')];

function roomWithOutsiders(version: string, joinRule: string): RoomBuilder {
  const room = createStandardRoom(version, alice, {
    members: [mod, bob],
    joinRule: 'knock',
    powerLevels: { users: { [mod.id]: 50 } },
  });
  const [, erin, frank, gina, hank] = outsiders as [
    unknown,
    typeof alice,
    typeof alice,
    typeof alice,
    typeof alice,
  ];
  room.invite(alice, erin);
  room.join(frank);
  room.leave(frank);
  room.ban(alice, gina);
  room.knock(hank);
  room.joinRules(alice, joinRule);
  return room;
}

const eventArbitrary = fc.record({
  version: fc.constantFrom(...AUTH_VERSIONS),
  joinRule: fc.constantFrom(
    'public',
    'invite',
    'knock',
    'restricted',
    'knock_restricted',
    'private',
  ),
  sender: fc.constantFrom(...outsiders),
  type: fc.constantFrom(
    'm.room.member',
    'm.room.message',
    'm.room.topic',
    'm.room.power_levels',
    'm.room.third_party_invite',
    'm.room.redaction',
    'org.example.custom',
  ),
  target: fc.constantFrom(...everyone.map((u) => u.id), ''),
  membership: fc.constantFrom('join', 'invite', 'leave', 'ban', 'knock', 'dance'),
  authoriser: fc.option(fc.constantFrom(alice.id, mod.id, bob.id), { nil: undefined }),
  isState: fc.boolean(),
});

test('an outsider can only join, knock or leave for themselves', () => {
  fc.assert(
    fc.property(eventArbitrary, (e) => {
      const room = roomWithOutsiders(e.version, e.joinRule);
      const isMember = e.type === 'm.room.member';
      const content: JsonObject = isMember ? { membership: e.membership } : { body: 'x' };
      if (e.authoriser) content.join_authorised_via_users_server = e.authoriser;
      const stateKey = isMember || e.isState ? e.target : undefined;
      const event = room.draft(e.sender, e.type, stateKey, content);
      const result = checkEventAuth(room.version, event, room.lookup());
      if (result.allowed) {
        assert.ok(isMember, `${e.type} from an outsider was allowed`);
        assert.equal(e.target, e.sender.id, 'an outsider acted on someone else');
        assert.ok(['join', 'knock', 'leave'].includes(e.membership), `${e.membership} was allowed`);
      }
    }),
    { numRuns: 400 },
  );
});

test('malformed events never make a rule throw', () => {
  const room = createStandardRoom('12', alice, { members: [bob] });
  const base = room.draft(bob, 'm.room.message', undefined, {}).pdu;
  fc.assert(
    fc.property(
      fc.constantFrom(...AUTH_VERSIONS),
      fc.constantFrom('m.room.member', 'm.room.power_levels', 'm.room.create', 'm.room.message'),
      fc.dictionary(
        fc.constantFrom(
          ...['content', 'state_key', 'sender', 'prev_events', 'auth_events', 'room_id', 'depth'],
          ...['type', 'signatures', 'hashes', 'redacts', 'origin_server_ts'],
        ),
        fc.jsonValue(),
      ),
      (versionId, type, overrides) => {
        const version = getRoomVersion(versionId)!;
        const pdu = { ...base, type, ...overrides } as unknown as Pdu;
        const event: EventWithId = { eventId: '$fuzz', pdu };
        for (const result of [
          checkEventFormat(version, event),
          checkEventAuth(version, event, room.lookup()),
          checkAuthEvents(version, event, room.fetch),
        ]) {
          assert.equal(typeof result.allowed, 'boolean');
        }
      },
    ),
    { numRuns: Number(process.env.CAIRN_FUZZ_RUNS ?? 500) },
  );
});
