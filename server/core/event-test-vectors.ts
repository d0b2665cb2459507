// Test data only: signed events with known hashes, signatures and ids, shared by the tests of
// hashes, event ids and event signing. Each says where it comes from; none is made by Cairn.

import type { Pdu } from './pdu.ts';

/** https://spec.matrix.org/latest/appendices/#cryptographic-test-vectors */
export const SPEC_SIGNER = {
  seed: 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1',
  serverName: 'domain',
  keyId: 'ed25519:1',
  /** Not printed in the spec; the public key of its seed as ruma-signatures documents it. */
  publicKey: 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI',
} as const;

/** The spec's "minimally-sized event", before and after hashing and signing. */
export const SPEC_MINIMAL_EVENT = {
  input: {
    room_id: '!x:domain',
    sender: '@a:domain',
    origin: 'domain',
    origin_server_ts: 1000000,
    signatures: {},
    hashes: {},
    type: 'X',
    content: {},
    prev_events: [],
    auth_events: [],
    depth: 3,
    unsigned: { age_ts: 1000000 },
  } as Pdu,
  signed: {
    auth_events: [],
    content: {},
    depth: 3,
    hashes: { sha256: '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos' },
    origin: 'domain',
    origin_server_ts: 1000000,
    prev_events: [],
    room_id: '!x:domain',
    sender: '@a:domain',
    signatures: {
      domain: {
        'ed25519:1':
          'KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg',
      },
    },
    type: 'X',
    unsigned: { age_ts: 1000000 },
  } as Pdu,
};

/** The spec's "event containing redactable content". It has no prev_events, auth_events or depth. */
export const SPEC_MESSAGE_EVENT = {
  input: {
    content: { body: 'Here is the message content' },
    event_id: '$0:domain',
    origin: 'domain',
    origin_server_ts: 1000000,
    type: 'm.room.message',
    room_id: '!r:domain',
    sender: '@u:domain',
    signatures: {},
    unsigned: { age_ts: 1000000 },
  } as unknown as Pdu,
  signed: {
    content: { body: 'Here is the message content' },
    event_id: '$0:domain',
    hashes: { sha256: 'onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g' },
    origin: 'domain',
    origin_server_ts: 1000000,
    type: 'm.room.message',
    room_id: '!r:domain',
    sender: '@u:domain',
    signatures: {
      domain: {
        'ed25519:1':
          'Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA',
      },
    },
    unsigned: { age_ts: 1000000 },
  } as unknown as Pdu,
};

/**
 * Real events as Synapse servers sent them, from gomatrixserverlib's eventversion_test.go: a
 * room version 1 event whose id is its own `event_id`, and a v5 create event (jki.re) whose id
 * in v3 and v4+ encodings the test gives.
 */
export const GMSL_V1_EVENT = JSON.parse(
  '{"auth_events":[["$oXL79cT7fFxR7dPH:localhost",{"sha256":"abjkiDSg1RkuZrbj2jZoGMlQaaj1Ue3Jhi7I7NlKfXY"}],["$IVUsaSkm1LBAZYYh:localhost",{"sha256":"X7RUj46hM/8sUHNBIFkStbOauPvbDzjSdH4NibYWnko"}],["$VS2QT0EeArZYi8wf:localhost",{"sha256":"k9eM6utkCH8vhLW9/oRsH74jOBS/6RVK42iGDFbylno"}]],"content":{"name":"test3"},"depth":7,"event_id":"$yvN1b43rlmcOs5fY:localhost","hashes":{"sha256":"Oh1mwI1jEqZ3tgJ+V1Dmu5nOEGpCE4RFUqyJv2gQXKs"},"origin":"localhost","origin_server_ts":1510854416361,"prev_events":[["$FqI6TVvWpcbcnJ97:localhost",{"sha256":"upCsBqUhNUgT2/+zkzg8TbqdQpWWKQnZpGJc6KcbUC4"}]],"prev_state":[],"room_id":"!19Mp0U9hjajeIiw1:localhost","sender":"@test:localhost","signatures":{"localhost":{"ed25519:u9kP":"5IzSuRXkxvbTp0vZhhXYZeOe+619iG3AybJXr7zfNn/4vHz4TH7qSJVQXSaHHvcTcDodAKHnTG1WDulgO5okAQ"}},"state_key":"","type":"m.room.name"}',
) as Pdu;

export const GMSL_V5_CREATE_EVENT = {
  pdu: JSON.parse(
    '{"auth_events": [], "prev_events": [], "type": "m.room.create", "room_id": "!uXDCzlYgCTHtiWCkEx:jki.re", "sender": "@erikj:jki.re", "content": {"room_version": "5", "predecessor": {"room_id": "!gdRMqOrTFdOCYHNwOo:half-shot.uk", "event_id": "$LP7ROBc4b+cMc1UE9haIz8q5AK2AIW4eJ90FfKLvyZI"}, "creator": "@erikj:jki.re"}, "depth": 1, "prev_state": [], "state_key": "", "origin": "jki.re", "origin_server_ts": 1560284621137, "hashes": {"sha256": "IX6zuNiJpJPNf70BLleL3HSCpjKeq9Uhu7uUpyDjBmc"}, "signatures": {"jki.re": {"ed25519:auto": "O4IyFfF2PPtGp5uaDm8t57dZbdh8vc8Q64LgCwvzYRVItAMI0uisfiAFaxkVT7MRpzh6N2QNN5NMRXZKmgPYDA"}}, "unsigned": {"age": 1321650}}',
  ) as Pdu,
  v3EventId: '$RrGxF28UrHLmoASHndYb9Jb/1SFww2ptmtur9INS438',
  v4EventId: '$RrGxF28UrHLmoASHndYb9Jb_1SFww2ptmtur9INS438',
};

/**
 * Room version 10 events signed by another TypeScript homeserver (RocketChat/homeserver tests),
 * with their key in Synapse's key file format: a cross-implementation check of v10 ids, hashes
 * and signatures, including a power levels event whose `invite` and `historical` are not signed.
 */
export const RC_V10 = {
  keyFileLine: 'ed25519 a_HDhg WntaJ4JP5WbZZjDShjeuwqCybQ5huaZAiowji7tnIEw',
  serverName: 'hs1',
  keyId: 'ed25519:a_HDhg',
  events: [
    {
      eventId: '$0AQU5dG_mtjH6qavAxYrQsDC0a_-6T3DHs1yoxf5fz4',
      pdu: {
        auth_events: [],
        prev_events: [],
        type: 'm.room.create',
        room_id: '!uTqsSSWabZzthsSCNf:hs1',
        sender: '@admin:hs1',
        content: { room_version: '10', creator: '@admin:hs1' },
        depth: 1,
        state_key: '',
        origin: 'hs1',
        origin_server_ts: 1733107418648,
        hashes: { sha256: 'XFkxvgXOT9pGz5Hbdo7tLlVN2SmWhQ9ifgsbLio/FEo' },
        signatures: {
          hs1: {
            'ed25519:a_HDhg':
              'rmnvsWlTL+JP8Sk9767UR0svF4IrzC9zhUPbT+y4u31r/qtIaF9OtT1FP8tD/yFGD92qoTcRb4Oo8DRbLRXcAg',
          },
        },
        unsigned: { age_ts: 1733107418648 },
      } as Pdu,
    },
    {
      eventId: '$tZRt2bwceX4sG913Ee67tJiwe-gk859kY2mCeYSncw8',
      pdu: {
        auth_events: ['$0AQU5dG_mtjH6qavAxYrQsDC0a_-6T3DHs1yoxf5fz4'],
        prev_events: ['$0AQU5dG_mtjH6qavAxYrQsDC0a_-6T3DHs1yoxf5fz4'],
        type: 'm.room.member',
        room_id: '!uTqsSSWabZzthsSCNf:hs1',
        sender: '@admin:hs1',
        content: { displayname: 'admin', membership: 'join' },
        depth: 2,
        state_key: '@admin:hs1',
        origin: 'hs1',
        origin_server_ts: 1733107418672,
        hashes: { sha256: '7qLYbHf6z6nLGkN0DABO89wgDjaeZwq0ma7GsPbhZ8I' },
        signatures: {
          hs1: {
            'ed25519:a_HDhg':
              'y/qV5T9PeXvqgwRafZDSygtk4XRMstdt04qusZWJSu77Juxzzz4Ijyk+JsJ5NNV0/WWYMT9IhmVb7/EEBH4vDQ',
          },
        },
        unsigned: { age_ts: 1733107418672 },
      } as Pdu,
    },
    {
      eventId: '$T20EETjD2OuaC1OVyg8iIbJGTNeGBsMiWoAagBOVRNE',
      pdu: {
        auth_events: [
          '$0AQU5dG_mtjH6qavAxYrQsDC0a_-6T3DHs1yoxf5fz4',
          '$tZRt2bwceX4sG913Ee67tJiwe-gk859kY2mCeYSncw8',
        ],
        prev_events: ['$tZRt2bwceX4sG913Ee67tJiwe-gk859kY2mCeYSncw8'],
        type: 'm.room.power_levels',
        room_id: '!uTqsSSWabZzthsSCNf:hs1',
        sender: '@admin:hs1',
        content: {
          users: { '@admin:hs1': 100, '@asd6:rc1': 100 },
          users_default: 0,
          events: {
            'm.room.name': 50,
            'm.room.power_levels': 100,
            'm.room.history_visibility': 100,
            'm.room.canonical_alias': 50,
            'm.room.avatar': 50,
            'm.room.tombstone': 100,
            'm.room.server_acl': 100,
            'm.room.encryption': 100,
          },
          events_default: 0,
          state_default: 50,
          ban: 50,
          kick: 50,
          redact: 50,
          invite: 0,
          historical: 100,
        },
        depth: 3,
        state_key: '',
        origin: 'hs1',
        origin_server_ts: 1733107418713,
        hashes: { sha256: '7Sv2UTnpNI9qnVO1oXaNoj1SEraxoWTm9uloqm3Oqho' },
        signatures: {
          hs1: {
            'ed25519:a_HDhg':
              'UBNpsQBCDX7t6cPHSj+g4bfAf/9Gb1TxYnme2MCXF4JgN7P3X0OUq0leFjrI5p/+sTR60/nuaZCX7OUYWTTLDA',
          },
        },
        unsigned: { age_ts: 1733107418713 },
      } as Pdu,
    },
  ],
};
