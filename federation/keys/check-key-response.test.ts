// Key server responses: accepted only when they name the server asked about and every ed25519
// verify key signed them; validity capped at 7 days; old keys kept with their expiry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../../server/core/base64.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { publicKeyOf, signJson } from '../../server/core/signing.ts';
import { checkKeyResponse, KeyResponseError, MAX_KEY_VALIDITY_MS } from './check-key-response.ts';

const NOW = 1_800_000_000_000;
const SEED_A = new Uint8Array(32).fill(1);
const SEED_B = new Uint8Array(32).fill(2);
const PUBLIC_A = encodeBase64(publicKeyOf(SEED_A));
const PUBLIC_B = encodeBase64(publicKeyOf(SEED_B));
const OLD = encodeBase64(publicKeyOf(new Uint8Array(32).fill(3)));

function response(fields: JsonObject = {}): JsonObject {
  return {
    server_name: 'remote.example',
    verify_keys: { 'ed25519:a': { key: PUBLIC_A } },
    old_verify_keys: { 'ed25519:old': { key: OLD, expired_ts: NOW - 1000 } },
    valid_until_ts: NOW + 3600_000,
    ...fields,
  };
}

const signed = (value: JsonObject, ...keys: [string, Uint8Array][]) =>
  keys.reduce<JsonObject>((acc, [id, seed]) => signJson(acc, 'remote.example', id, seed), value);

describe('checkKeyResponse', () => {
  it('accepts a self-signed response and keeps only its own signatures', () => {
    const value = signJson(
      signed(response(), ['ed25519:a', SEED_A]),
      'notary.example',
      'ed25519:n',
      SEED_B,
    );
    const checked = checkKeyResponse(value, 'remote.example', NOW);
    assert.deepEqual(checked.verifyKeys, [{ keyId: 'ed25519:a', publicKey: PUBLIC_A }]);
    assert.deepEqual(checked.oldVerifyKeys, [
      { keyId: 'ed25519:old', publicKey: OLD, expiredTs: NOW - 1000 },
    ]);
    assert.equal(checked.validUntilTs, NOW + 3600_000);
    assert.equal(checked.usableUntilTs, NOW + 3600_000);
    assert.deepEqual(Object.keys(checked.response.signatures as JsonObject), ['remote.example']);
  });

  it('caps the validity at 7 days from now', () => {
    const far = signed(response({ valid_until_ts: NOW + 30 * 86400_000 }), ['ed25519:a', SEED_A]);
    const checked = checkKeyResponse(far, 'remote.example', NOW);
    assert.equal(checked.usableUntilTs, NOW + MAX_KEY_VALIDITY_MS);
    assert.equal(checked.validUntilTs, NOW + 30 * 86400_000);
  });

  it('needs the signature of every ed25519 verify key', () => {
    const two = response({
      verify_keys: { 'ed25519:a': { key: PUBLIC_A }, 'ed25519:b': { key: PUBLIC_B } },
    });
    const both = signed(two, ['ed25519:a', SEED_A], ['ed25519:b', SEED_B]);
    assert.equal(checkKeyResponse(both, 'remote.example', NOW).verifyKeys.length, 2);
    const onlyA = signed(two, ['ed25519:a', SEED_A]);
    assert.throws(() => checkKeyResponse(onlyA, 'remote.example', NOW), KeyResponseError);
    // Signed by b's seed under a's id: the signature does not match a's key.
    const swapped = signed(response(), ['ed25519:a', SEED_B]);
    assert.throws(() => checkKeyResponse(swapped, 'remote.example', NOW), KeyResponseError);
  });

  it('ignores keys of other algorithms and malformed old keys', () => {
    const value = signed(
      response({
        verify_keys: { 'ed25519:a': { key: PUBLIC_A }, 'curve25519:x': { key: 'whatever' } },
        old_verify_keys: {
          'ed25519:no_expiry': { key: OLD },
          'ed25519:bad_key': { key: 'AAAA', expired_ts: 1 },
          'ed25519:ok': { key: OLD, expired_ts: 5 },
        },
      }),
      ['ed25519:a', SEED_A],
    );
    const checked = checkKeyResponse(value, 'remote.example', NOW);
    assert.deepEqual(
      checked.verifyKeys.map((key) => key.keyId),
      ['ed25519:a'],
    );
    assert.deepEqual(
      checked.oldVerifyKeys.map((key) => key.keyId),
      ['ed25519:ok'],
    );
  });

  const bad: [string, (value: JsonObject) => unknown][] = [
    ['not an object', () => ['x']],
    ['another server name', (value) => ({ ...value, server_name: 'evil.example' })],
    ['a changed field after signing', (value) => ({ ...value, valid_until_ts: NOW + 1 })],
    ['a valid_until_ts that is not an integer', (value) => ({ ...value, valid_until_ts: '1' })],
    ['no verify_keys', (value) => ({ ...value, verify_keys: null })],
    ['no ed25519 key', (value) => ({ ...value, verify_keys: {} })],
    [
      'a key of the wrong length',
      (value) => ({ ...value, verify_keys: { 'ed25519:a': { key: 'AAAA' } } }),
    ],
    ['no signatures', ({ signatures: _, ...value }) => value],
    ['a float (no canonical JSON)', (value) => ({ ...value, extra: 1.5 })],
  ];
  for (const [what, change] of bad) {
    it(`rejects ${what}`, () => {
      const value = change(signed(response(), ['ed25519:a', SEED_A]));
      assert.throws(() => checkKeyResponse(value, 'remote.example', NOW), KeyResponseError);
    });
  }
});
