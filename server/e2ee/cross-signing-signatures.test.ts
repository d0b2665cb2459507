// Which uploaded signatures are accepted, as a case table over real keys: alice signs her devices,
// her master key and bob's master key, each only with the key that may sign it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../core/pdu.ts';
import { checkSignedKey, type SigningKeyRing } from './cross-signing-signatures.ts';
import { newCrossSigning, newTestDevice, newTestKey } from './cross-signing-test-keys.ts';

const ALICE = '@alice:example.org';
const BOB = '@bob:remote.test';
const alice = newCrossSigning(ALICE);
const bob = newCrossSigning(BOB);
const a1 = newTestDevice(ALICE, 'A1');
const a2 = newTestDevice(ALICE, 'A2');
const forger = newTestKey();

const ring: SigningKeyRing = {
  requesterId: ALICE,
  ownKeys: {
    master: alice.body.master_key,
    self_signing: alice.body.self_signing_key,
    user_signing: alice.body.user_signing_key,
  },
  ownDevices: new Map([
    ['A1', a1.keys],
    ['A2', a2.keys],
  ]),
  otherKeys: new Map([
    [BOB, { master: bob.body.master_key, self_signing: bob.body.self_signing_key }],
  ]),
  known: [],
};

const A1_BY_SSK = alice.selfSigning.sign(a1.keys, ALICE);
const MASTER_BY_A2 = a2.key.sign(alice.body.master_key, ALICE, 'ed25519:A2');
const BOB_BY_USK = alice.userSigning.sign(bob.body.master_key, ALICE);

interface Case {
  name: string;
  target: [userId: string, keyId: string];
  signed: JsonObject;
  ring?: SigningKeyRing;
  /** The errcode of the failure, or the signer key ids accepted. */
  expect: string | string[];
}

const cases: Case[] = [
  {
    name: 'own device by the self-signing key',
    target: [ALICE, 'A1'],
    signed: A1_BY_SSK,
    expect: [alice.selfSigning.keyId],
  },
  {
    name: 'own master key by an own device',
    target: [ALICE, alice.master.publicKey],
    signed: MASTER_BY_A2,
    expect: ['ed25519:A2'],
  },
  {
    name: "another user's master key by the user-signing key",
    target: [BOB, bob.master.publicKey],
    signed: BOB_BY_USK,
    expect: [alice.userSigning.keyId],
  },
  {
    name: 'a signature uploaded before is not stored again',
    target: [ALICE, 'A1'],
    signed: A1_BY_SSK,
    ring: {
      ...ring,
      known: [
        {
          targetUserId: ALICE,
          targetKeyId: 'A1',
          signerUserId: ALICE,
          signerKeyId: alice.selfSigning.keyId,
          signature: ((A1_BY_SSK.signatures as JsonObject)[ALICE] as JsonObject)[
            alice.selfSigning.keyId
          ] as string,
        },
      ],
    },
    expect: [],
  },
  {
    name: 'own device with only its own signature',
    target: [ALICE, 'A1'],
    signed: a1.keys,
    expect: [],
  },
  {
    name: 'no signature by the requester',
    target: [ALICE, 'A1'],
    signed: { ...a1.keys, signatures: {} },
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'signatures by another user only',
    target: [BOB, bob.master.publicKey],
    signed: bob.selfSigning.sign(bob.body.master_key, BOB),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'own device by a forged key under the self-signing key id',
    target: [ALICE, 'A1'],
    signed: forger.sign(a1.keys, ALICE, alice.selfSigning.keyId),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'own device by the user-signing key',
    target: [ALICE, 'A1'],
    signed: alice.userSigning.sign(a1.keys, ALICE),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'own device by another device',
    target: [ALICE, 'A1'],
    signed: a2.key.sign(a1.keys, ALICE, 'ed25519:A2'),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'a different device object, signed',
    target: [ALICE, 'A1'],
    signed: alice.selfSigning.sign({ ...a1.keys, algorithms: ['m.megolm.v1.aes-sha2'] }, ALICE),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'the device object of another device',
    target: [ALICE, 'A1'],
    signed: alice.selfSigning.sign({ ...a2.keys, signatures: {} }, ALICE),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'an unknown device',
    target: [ALICE, 'A9'],
    signed: alice.selfSigning.sign({ ...a1.keys, device_id: 'A9' }, ALICE),
    expect: 'M_NOT_FOUND',
  },
  {
    name: 'own self-signing key (not signable here)',
    target: [ALICE, alice.selfSigning.publicKey],
    signed: a1.key.sign(alice.body.self_signing_key, ALICE, 'ed25519:A1'),
    expect: 'M_NOT_FOUND',
  },
  {
    name: 'own master key by an unknown device',
    target: [ALICE, alice.master.publicKey],
    signed: forger.sign(alice.body.master_key, ALICE, 'ed25519:A9'),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'own master key by a device, forged',
    target: [ALICE, alice.master.publicKey],
    signed: forger.sign(alice.body.master_key, ALICE, 'ed25519:A2'),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: "another user's master key by the self-signing key",
    target: [BOB, bob.master.publicKey],
    signed: alice.selfSigning.sign(bob.body.master_key, ALICE),
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: "another user's self-signing key",
    target: [BOB, bob.selfSigning.publicKey],
    signed: alice.userSigning.sign(bob.body.self_signing_key, ALICE),
    expect: 'M_NOT_FOUND',
  },
  {
    name: 'a user without known keys',
    target: ['@carol:example.org', 'KEY'],
    signed: alice.userSigning.sign({ user_id: '@carol:example.org' }, ALICE),
    expect: 'M_NOT_FOUND',
  },
  {
    name: "another user's master key, but the requester has no user-signing key",
    target: [BOB, bob.master.publicKey],
    signed: BOB_BY_USK,
    ring: { ...ring, ownKeys: { master: alice.body.master_key } },
    expect: 'M_INVALID_SIGNATURE',
  },
  {
    name: 'a float in the object',
    target: [ALICE, 'A1'],
    signed: { ...A1_BY_SSK, extra: 0.5 },
    expect: 'M_BAD_JSON',
  },
];

describe('checkSignedKey', () => {
  for (const { name, target, signed, ring: caseRing, expect } of cases) {
    it(name, () => {
      const outcome = checkSignedKey(caseRing ?? ring, target[0], target[1], signed);
      if (typeof expect === 'string') {
        assert.equal(outcome.ok ? 'accepted' : outcome.failure.errcode, expect);
        return;
      }
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.deepEqual(
        outcome.accepted.map((signature) => signature.signerKeyId),
        expect,
      );
      for (const signature of outcome.accepted) {
        assert.equal(signature.targetUserId, target[0]);
        assert.equal(signature.targetKeyId, target[1]);
        assert.equal(signature.signerUserId, ALICE);
        assert.equal(
          signature.signature,
          ((signed.signatures as JsonObject)[ALICE] as JsonObject)[signature.signerKeyId],
        );
      }
    });
  }

  it('names the kind of key signed', () => {
    const kinds = [
      checkSignedKey(ring, ALICE, 'A1', A1_BY_SSK),
      checkSignedKey(ring, ALICE, alice.master.publicKey, MASTER_BY_A2),
      checkSignedKey(ring, BOB, bob.master.publicKey, BOB_BY_USK),
    ].map((outcome) => (outcome.ok ? outcome.target : outcome.failure.errcode));
    assert.deepEqual(kinds, ['own-device', 'own-master', 'other-master']);
  });
});
