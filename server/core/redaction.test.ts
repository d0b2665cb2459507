import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject, Pdu } from './pdu.ts';
import { redactEvent } from './redaction.ts';
import { getRoomVersion, ROOM_VERSIONS } from './room-versions.ts';

const version = (id: string) => getRoomVersion(id)!;

const SIGNED = {
  mxid: '@bob:example.org',
  token: 'tok',
  signatures: { 'x.org': { 'ed25519:1': 's' } },
};

// Each type's content holds every key any version keeps, plus keys no version keeps.
const CONTENT: Record<string, JsonObject> = {
  'm.room.member': {
    membership: 'join',
    displayname: 'Alice',
    avatar_url: 'mxc://x/y',
    join_authorised_via_users_server: '@admin:example.org',
    third_party_invite: { display_name: 'alice@example.org', signed: SIGNED },
  },
  'm.room.create': { creator: '@alice:example.org', room_version: '1', 'm.federate': false },
  'm.room.join_rules': { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }], x: 1 },
  'm.room.power_levels': {
    ban: 50,
    events: { 'm.room.name': 50 },
    events_default: 0,
    kick: 50,
    redact: 50,
    state_default: 50,
    users: { '@alice:example.org': 100 },
    users_default: 0,
    invite: 0,
    notifications: { room: 50 },
    historical: 100,
  },
  'm.room.aliases': { aliases: ['#a:example.org'], x: 1 },
  'm.room.history_visibility': { history_visibility: 'shared', x: 1 },
  'm.room.redaction': { redacts: '$target', reason: 'spam' },
  'm.room.message': { body: 'hello', msgtype: 'm.text' },
  // Must not pick up anything through Object.prototype.
  constructor: { membership: 'join' },
};

const POWER_LEVELS_KEPT = {
  ban: 50,
  events: { 'm.room.name': 50 },
  events_default: 0,
  kick: 50,
  redact: 50,
  state_default: 50,
  users: { '@alice:example.org': 100 },
  users_default: 0,
};

// Expected redacted content per version group: v1-v5, v6-v7, v8, v9-v10, v11-v12.
type Group = 'v1' | 'v6' | 'v8' | 'v9' | 'v11';
const EXPECTED: Record<string, Record<Group, JsonObject>> = {
  'm.room.member': {
    v1: { membership: 'join' },
    v6: { membership: 'join' },
    v8: { membership: 'join' },
    v9: { membership: 'join', join_authorised_via_users_server: '@admin:example.org' },
    v11: {
      membership: 'join',
      join_authorised_via_users_server: '@admin:example.org',
      third_party_invite: { signed: SIGNED },
    },
  },
  'm.room.create': {
    v1: { creator: '@alice:example.org' },
    v6: { creator: '@alice:example.org' },
    v8: { creator: '@alice:example.org' },
    v9: { creator: '@alice:example.org' },
    v11: CONTENT['m.room.create']!,
  },
  'm.room.join_rules': {
    v1: { join_rule: 'restricted' },
    v6: { join_rule: 'restricted' },
    v8: { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }] },
    v9: { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }] },
    v11: { join_rule: 'restricted', allow: [{ type: 'm.room_membership' }] },
  },
  'm.room.power_levels': {
    v1: POWER_LEVELS_KEPT,
    v6: POWER_LEVELS_KEPT,
    v8: POWER_LEVELS_KEPT,
    v9: POWER_LEVELS_KEPT,
    v11: { ...POWER_LEVELS_KEPT, invite: 0 },
  },
  'm.room.aliases': { v1: { aliases: ['#a:example.org'] }, v6: {}, v8: {}, v9: {}, v11: {} },
  'm.room.history_visibility': {
    v1: { history_visibility: 'shared' },
    v6: { history_visibility: 'shared' },
    v8: { history_visibility: 'shared' },
    v9: { history_visibility: 'shared' },
    v11: { history_visibility: 'shared' },
  },
  'm.room.redaction': { v1: {}, v6: {}, v8: {}, v9: {}, v11: { redacts: '$target' } },
  'm.room.message': { v1: {}, v6: {}, v8: {}, v9: {}, v11: {} },
  constructor: { v1: {}, v6: {}, v8: {}, v9: {}, v11: {} },
};

const GROUP_OF: Record<string, Group> = {
  '1': 'v1',
  '2': 'v1',
  '3': 'v1',
  '4': 'v1',
  '5': 'v1',
  '6': 'v6',
  '7': 'v6',
  '8': 'v8',
  '9': 'v9',
  '10': 'v9',
  '11': 'v11',
  '12': 'v11',
};

function event(type: string): Pdu {
  return {
    event_id: '$e:example.org',
    type,
    room_id: '!r:example.org',
    sender: '@alice:example.org',
    state_key: '',
    content: CONTENT[type]!,
    hashes: { sha256: 'h' },
    signatures: { 'example.org': { 'ed25519:1': 's' } },
    depth: 3,
    prev_events: ['$p'],
    prev_state: [],
    auth_events: ['$a'],
    origin: 'example.org',
    origin_server_ts: 1000,
    membership: 'join',
    redacts: '$target',
    unsigned: { age_ts: 1 },
    age_ts: 1,
    extra: 'dropped',
  };
}

const TOP_V11 = [
  'auth_events',
  'content',
  'depth',
  'event_id',
  'hashes',
  'origin_server_ts',
  'prev_events',
  'room_id',
  'sender',
  'signatures',
  'state_key',
  'type',
];
const TOP_V1 = [...TOP_V11, 'membership', 'origin', 'prev_state'].sort();

describe('redactEvent: case table over every room version', () => {
  it('covers every known room version', () => {
    assert.deepEqual([...ROOM_VERSIONS.keys()].sort(), Object.keys(GROUP_OF).sort());
  });

  for (const [id, group] of Object.entries(GROUP_OF)) {
    it(`v${id}: keeps the ${group} top-level keys and content keys`, () => {
      for (const type of Object.keys(CONTENT)) {
        const redacted = redactEvent(version(id), event(type));
        assert.deepEqual(Object.keys(redacted).sort(), group === 'v11' ? TOP_V11 : TOP_V1, type);
        assert.deepEqual(redacted.content, EXPECTED[type]![group], `${type} in v${id}`);
      }
    });
  }
});

describe('redactEvent: details', () => {
  it('keeps only the keys present, adds empty content, and leaves the input alone', () => {
    const pdu = { type: 'm.room.message', sender: '@a:b', unsigned: { x: 1 } } as unknown as Pdu;
    const before = structuredClone(pdu);
    assert.deepEqual(redactEvent(version('1'), pdu), {
      type: 'm.room.message',
      sender: '@a:b',
      content: {},
    });
    assert.deepEqual(pdu, before);
  });

  it('replaces non-object content with an empty object', () => {
    const pdu = { ...event('m.room.member'), content: 'nope' } as unknown as Pdu;
    assert.deepEqual(redactEvent(version('11'), pdu).content, {});
  });

  it('v11: third_party_invite without signed becomes {}, a non-object one is dropped', () => {
    const member = (third_party_invite: unknown) =>
      ({ ...event('m.room.member'), content: { membership: 'invite', third_party_invite } }) as Pdu;
    assert.deepEqual(redactEvent(version('11'), member({ display_name: 'x' })).content, {
      membership: 'invite',
      third_party_invite: {},
    });
    assert.deepEqual(redactEvent(version('12'), member('x')).content, { membership: 'invite' });
    assert.deepEqual(redactEvent(version('10'), member({ signed: {} })).content, {
      membership: 'invite',
    });
  });

  it('v11: keeps create content whatever it holds', () => {
    const pdu = { ...event('m.room.create'), content: { anything: { deep: [1] } } };
    assert.deepEqual(redactEvent(version('12'), pdu).content, { anything: { deep: [1] } });
  });
});
