// The rules of a cross-signing key upload, as case tables over real signed keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../core/pdu.ts';
import type { CrossSigningKeys } from '../storage/cross-signing-keys.ts';
import {
  changedKeyTypes,
  checkCrossSigningUpload,
  crossSigningPublicKey,
  uploadNeedsAuth,
} from './cross-signing-keys.ts';
import { crossSigningKey, newCrossSigning, newTestKey } from './cross-signing-test-keys.ts';

const ALICE = '@alice:example.org';
const alice = newCrossSigning(ALICE);
const { master_key, self_signing_key, user_signing_key } = alice.body;
const other = newCrossSigning(ALICE);
const stranger = newTestKey();

describe('crossSigningPublicKey', () => {
  const cases: [string, JsonObject | undefined, string | undefined][] = [
    ['one ed25519 key', master_key, alice.master.publicKey],
    ['no key object', undefined, undefined],
    ['no keys', { user_id: ALICE }, undefined],
    ['empty keys', { keys: {} }, undefined],
    [
      'two keys',
      {
        keys: {
          [alice.master.keyId]: alice.master.publicKey,
          [stranger.keyId]: stranger.publicKey,
        },
      },
      undefined,
    ],
    [
      'curve25519',
      { keys: { [`curve25519:${stranger.publicKey}`]: stranger.publicKey } },
      undefined,
    ],
    ['id and value differ', { keys: { [alice.master.keyId]: stranger.publicKey } }, undefined],
    ['not 32 bytes', { keys: { 'ed25519:AAAA': 'AAAA' } }, undefined],
    ['not base64', { keys: { 'ed25519:!!': '!!' } }, undefined],
    ['value not a string', { keys: { 'ed25519:AAAA': 5 } }, undefined],
  ];
  for (const [name, key, expected] of cases) {
    it(name, () => assert.equal(crossSigningPublicKey(key), expected));
  }
});

describe('checkCrossSigningUpload', () => {
  const tamperedSelfSigning = { ...self_signing_key, usage: ['self_signing', 'extra'] };
  const cases: [string, CrossSigningKeys, CrossSigningKeys, string | undefined][] = [
    [
      'all three keys, first upload',
      { master: master_key, self_signing: self_signing_key, user_signing: user_signing_key },
      {},
      undefined,
    ],
    ['master alone', { master: master_key }, {}, undefined],
    [
      'self-signing key signed by the stored master',
      { self_signing: self_signing_key },
      { master: master_key },
      undefined,
    ],
    [
      'user_id of another user',
      { master: { ...master_key, user_id: '@bob:example.org' } },
      {},
      'M_INVALID_PARAM',
    ],
    [
      'usage without the key type',
      { master: { ...master_key, usage: ['self_signing'] } },
      {},
      'M_INVALID_PARAM',
    ],
    ['usage not an array', { master: { ...master_key, usage: 'master' } }, {}, 'M_INVALID_PARAM'],
    [
      'two keys',
      {
        master: {
          ...master_key,
          keys: { ...(master_key.keys as JsonObject), [stranger.keyId]: stranger.publicKey },
        },
      },
      {},
      'M_INVALID_PARAM',
    ],
    ['no key', { master: { ...master_key, keys: {} } }, {}, 'M_INVALID_PARAM'],
    [
      'a key that is not ed25519',
      { master: { ...master_key, keys: { 'curve25519:AAAA': 'AAAA' } } },
      {},
      'M_INVALID_PARAM',
    ],
    ['a float in the key', { master: { ...master_key, extra: 1.5 } }, {}, 'M_BAD_JSON'],
    [
      'self-signing key without any master key',
      { self_signing: self_signing_key },
      {},
      'M_MISSING_PARAM',
    ],
    [
      'user-signing key without any master key',
      { user_signing: user_signing_key },
      {},
      'M_MISSING_PARAM',
    ],
    [
      'self-signing key signed by another master key',
      { master: other.body.master_key, self_signing: self_signing_key },
      {},
      'M_INVALID_SIGNATURE',
    ],
    [
      'user-signing key signed by the stored master, a new master uploaded',
      { master: other.body.master_key, user_signing: user_signing_key },
      { master: master_key },
      'M_INVALID_SIGNATURE',
    ],
    [
      'self-signing key changed after signing',
      { master: master_key, self_signing: tamperedSelfSigning },
      {},
      'M_INVALID_SIGNATURE',
    ],
    [
      'self-signing key unsigned',
      { master: master_key, self_signing: crossSigningKey(ALICE, 'self_signing', newTestKey()) },
      {},
      'M_INVALID_SIGNATURE',
    ],
  ];
  for (const [name, upload, stored, errcode] of cases) {
    it(name, () => {
      assert.equal(
        checkCrossSigningUpload(ALICE, upload, stored, new Set(['DEVICE']))?.errcode,
        errcode,
      );
    });
  }

  it('a public key that is one of the user devices ids is forbidden', () => {
    const problem = checkCrossSigningUpload(
      ALICE,
      { master: master_key },
      {},
      new Set([alice.master.publicKey]),
    );
    assert.equal(problem?.status, 403);
    assert.equal(problem?.errcode, 'M_FORBIDDEN');
  });
});

describe('which keys change and whether auth is needed', () => {
  const reordered: JsonObject = Object.fromEntries(Object.entries(self_signing_key).reverse());
  const stored: CrossSigningKeys = { master: master_key, self_signing: self_signing_key };
  const cases: [string, CrossSigningKeys, CrossSigningKeys, string[], boolean][] = [
    ['first upload', { master: master_key }, {}, ['master'], false],
    [
      'first upload of all three',
      { master: master_key, self_signing: self_signing_key, user_signing: user_signing_key },
      {},
      ['master', 'self_signing', 'user_signing'],
      false,
    ],
    [
      'the same keys again',
      { master: master_key, self_signing: self_signing_key },
      stored,
      [],
      false,
    ],
    ['the same key, other key order', { self_signing: reordered }, stored, [], false],
    ['nothing uploaded', {}, stored, [], false],
    ['a new master key', { master: other.body.master_key }, stored, ['master'], true],
    [
      'a user-signing key where none was stored',
      { user_signing: user_signing_key },
      stored,
      ['user_signing'],
      true,
    ],
    [
      'self-signing key re-signed (other signatures)',
      { self_signing: { ...self_signing_key, signatures: {} } },
      stored,
      ['self_signing'],
      true,
    ],
  ];
  for (const [name, upload, storedKeys, changed, needsAuth] of cases) {
    it(name, () => {
      assert.deepEqual(changedKeyTypes(upload, storedKeys), changed);
      assert.equal(uploadNeedsAuth(upload, storedKeys), needsAuth);
    });
  }
});
