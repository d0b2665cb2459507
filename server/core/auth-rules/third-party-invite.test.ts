// Invites through a third-party identifier: the identity server's signature stands in for the
// inviter's power. Signatures are verified with real ed25519 keys through the injected verifier.

import { describe, test } from 'node:test';
import { encodeBase64 } from '../base64.ts';
import type { JsonObject } from '../pdu.ts';
import { privateKeyFromSeed, publicKeyOf, signJson, verifyJsonSignature } from '../signing.ts';
import { AUTH_VERSIONS, assertVerdict } from '../testing/assert-auth.ts';
import {
  createStandardRoom,
  type LooseContent,
  type RoomBuilder,
  testUser,
} from '../testing/room-builder.ts';
import type { AuthOptions } from './auth-types.ts';
import { checkEventAuth } from './check-event-auth.ts';

const alice = testUser('alice');
const bob = testUser('bob');
const carol = testUser('carol');

const identityKey = privateKeyFromSeed(new Uint8Array(32).fill(7));
const otherKey = privateKeyFromSeed(new Uint8Array(32).fill(9));
const IDENTITY_PUBLIC = encodeBase64(publicKeyOf(identityKey));
const OTHER_PUBLIC = encodeBase64(publicKeyOf(otherKey));

const verifier: AuthOptions = {
  verifyThirdPartyInviteSignature: ({ signed, serverName, keyId, publicKey }) =>
    verifyJsonSignature(signed, serverName, keyId, publicKey),
};

function signed(mxid: string, token = 'tok', key = identityKey): JsonObject {
  return signJson({ mxid, token }, 'id.example.org', 'ed25519:0', key);
}

interface Case {
  readonly name: string;
  /** Content of the m.room.third_party_invite alice sent, or none. */
  readonly inviteContent?: LooseContent | null;
  readonly inviteSender?: typeof alice;
  readonly setup?: (room: RoomBuilder) => void;
  readonly sender?: typeof alice;
  readonly target?: string;
  readonly thirdPartyInvite: () => LooseContent;
  readonly options?: AuthOptions;
  readonly expect: true | RegExp;
}

const cases: Case[] = [
  {
    name: 'signed by the key in public_key',
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: true,
  },
  {
    name: 'signed by a key in public_keys',
    inviteContent: {
      public_key: OTHER_PUBLIC,
      public_keys: [{ public_key: 'junk' }, { public_key: IDENTITY_PUBLIC }],
    },
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: true,
  },
  {
    name: 'signed by a key the invite does not list',
    thirdPartyInvite: () => ({ signed: signed(carol.id, 'tok', otherKey) }),
    expect: /no signature/,
  },
  {
    name: 'signed block altered after signing',
    thirdPartyInvite: () => ({ signed: { ...signed(carol.id), extra: 1 } }),
    expect: /no signature/,
  },
  {
    name: 'no signed block',
    thirdPartyInvite: () => ({ display_name: 'c' }),
    expect: /no signed object/,
  },
  {
    name: 'signed without token',
    thirdPartyInvite: () => ({ signed: { mxid: carol.id, signatures: {} } }),
    expect: /lacks mxid or token/,
  },
  {
    name: 'signed without mxid',
    thirdPartyInvite: () => ({ signed: { token: 'tok', signatures: {} } }),
    expect: /lacks mxid or token/,
  },
  {
    name: 'mxid is not the target',
    target: bob.id,
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: /mxid does not match/,
  },
  {
    name: 'token with no m.room.third_party_invite',
    thirdPartyInvite: () => ({ signed: signed(carol.id, 'other-token') }),
    expect: /no m.room.third_party_invite/,
  },
  {
    name: 'member event sent by someone other than the inviter',
    sender: bob,
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: /does not match the sender/,
  },
  {
    name: 'target banned',
    setup: (r) => r.ban(alice, carol),
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: /banned/,
  },
  {
    name: 'no verifier supplied',
    options: {},
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: /cannot be verified/,
  },
  {
    // The sender's own membership is not consulted on this path, only the inviter match.
    name: 'the inviter has since left',
    setup: (r) => r.leave(alice),
    thirdPartyInvite: () => ({ signed: signed(carol.id) }),
    expect: true,
  },
];

for (const version of AUTH_VERSIONS) {
  describe(`third-party invites, room version ${version}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const room = createStandardRoom(version, alice, { members: [bob] });
        if (c.inviteContent !== null) {
          room.send(c.inviteSender ?? alice, 'm.room.third_party_invite', 'tok', {
            display_name: 'c…@example.com',
            key_validity_url: 'https://id.example.org/isvalid',
            public_key: IDENTITY_PUBLIC,
            ...c.inviteContent,
          });
        }
        c.setup?.(room);
        const event = room.draft(c.sender ?? alice, 'm.room.member', c.target ?? carol.id, {
          membership: 'invite',
          third_party_invite: { display_name: 'c…@example.com', ...c.thirdPartyInvite() },
        });
        assertVerdict(
          checkEventAuth(room.version, event, room.lookup(), c.options ?? verifier),
          c.expect,
          c.name,
        );
      });
    }
  });
}
