import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import nacl from 'tweetnacl';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { CanonicalJsonError } from './canonical-json.ts';
import type { JsonObject } from './pdu.ts';
import {
  generateSeed,
  PUBLIC_KEY_CACHE_SIZE,
  privateKeyFromSeed,
  publicKeyCacheSize,
  publicKeyObject,
  publicKeyOf,
  signBytes,
  signJson,
  verifyBytes,
  verifyJsonSignature,
} from './signing.ts';

// https://spec.matrix.org/latest/appendices/#cryptographic-test-vectors
const SEED = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const SERVER = 'domain';
const KEY_ID = 'ed25519:1';
// The public key of that seed, as published alongside the same seed in ruma-signatures' docs.
const PUBLIC_KEY = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI';

describe('signing keys', () => {
  it('derives the public key of the spec seed', () => {
    assert.equal(encodeBase64(publicKeyOf(SEED)), PUBLIC_KEY);
    assert.equal(encodeBase64(publicKeyOf(privateKeyFromSeed(SEED))), PUBLIC_KEY);
    assert.equal(encodeBase64(nacl.sign.keyPair.fromSeed(SEED).publicKey), PUBLIC_KEY);
  });

  it('generates 32-byte seeds from the given random source', () => {
    const seed = generateSeed(randomBytes);
    assert.equal(seed.length, 32);
    assert.notDeepEqual(seed, generateSeed(randomBytes));
    assert.throws(() => generateSeed(() => new Uint8Array(31)), RangeError);
    assert.throws(() => privateKeyFromSeed(new Uint8Array(31)), RangeError);
  });

  it('signs like tweetnacl (Ed25519 is deterministic) and verifies its signatures', () => {
    const data = new TextEncoder().encode('{"a":1}');
    const ours = signBytes(data, SEED);
    const theirs = nacl.sign.detached(data, nacl.sign.keyPair.fromSeed(SEED).secretKey);
    assert.deepEqual([...ours], [...theirs]);
    assert.ok(verifyBytes(data, theirs, PUBLIC_KEY));
    assert.ok(!verifyBytes(data.subarray(1), theirs, PUBLIC_KEY));
  });

  it('treats unusable public keys and signature lengths as failures, not errors', () => {
    const data = Uint8Array.of(1);
    const signature = signBytes(data, SEED);
    assert.ok(!verifyBytes(data, signature, 'not base64!'));
    assert.ok(!verifyBytes(data, signature, new Uint8Array(31)));
    assert.ok(!verifyBytes(data, signature.subarray(1), PUBLIC_KEY));
    assert.equal(publicKeyObject('AAAA'), undefined);
  });

  it('caches public key objects, bounded', () => {
    assert.equal(publicKeyObject(PUBLIC_KEY), publicKeyObject(decodeBase64(PUBLIC_KEY)));
    assert.equal(publicKeyObject(PUBLIC_KEY), publicKeyObject(`${PUBLIC_KEY}=`));
    for (let i = 0; i < PUBLIC_KEY_CACHE_SIZE + 10; i++) {
      publicKeyObject(publicKeyOf(generateSeed(randomBytes)));
    }
    assert.equal(publicKeyCacheSize(), PUBLIC_KEY_CACHE_SIZE);
  });
});

describe('signJson: spec vectors', () => {
  it('signs the empty object', () => {
    assert.deepEqual(signJson({}, SERVER, KEY_ID, SEED), {
      signatures: {
        domain: {
          'ed25519:1':
            'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ',
        },
      },
    });
  });

  it('signs an object with data', () => {
    assert.deepEqual(signJson({ one: 1, two: 'Two' }, SERVER, KEY_ID, SEED), {
      one: 1,
      signatures: {
        domain: {
          'ed25519:1':
            'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw',
        },
      },
      two: 'Two',
    });
  });
});

describe('signJson and verifyJsonSignature', () => {
  const input: JsonObject = {
    one: 1,
    unsigned: { age_ts: 5 },
    signatures: { other: { 'ed25519:x': 'c2ln' }, domain: { 'ed25519:0': 'b2xk' } },
  };

  it('ignores signatures and unsigned, keeps both, and does not modify the input', () => {
    const before = structuredClone(input);
    const signed = signJson(input, SERVER, KEY_ID, privateKeyFromSeed(SEED));
    assert.deepEqual(input, before);
    assert.deepEqual(signed.unsigned, { age_ts: 5 });
    assert.deepEqual(signed.signatures, {
      other: { 'ed25519:x': 'c2ln' },
      domain: {
        'ed25519:0': 'b2xk',
        // The same as signing {"one":1} alone.
        'ed25519:1': (signJson({ one: 1 }, SERVER, KEY_ID, SEED).signatures.domain as JsonObject)[
          'ed25519:1'
        ] as string,
      },
    });
    assert.ok(verifyJsonSignature(signed, SERVER, KEY_ID, PUBLIC_KEY));
    // unsigned and other signatures may change in transit.
    assert.ok(verifyJsonSignature({ ...signed, unsigned: { age: 1 } }, SERVER, KEY_ID, PUBLIC_KEY));
  });

  it('fails on any change to signed data, wrong entity, key id or key', () => {
    const signed = signJson(input, SERVER, KEY_ID, SEED);
    const otherKey = publicKeyOf(generateSeed(randomBytes));
    assert.ok(!verifyJsonSignature({ ...signed, one: 2 }, SERVER, KEY_ID, PUBLIC_KEY));
    assert.ok(!verifyJsonSignature({ ...signed, extra: null }, SERVER, KEY_ID, PUBLIC_KEY));
    assert.ok(!verifyJsonSignature(signed, 'other', KEY_ID, PUBLIC_KEY));
    assert.ok(!verifyJsonSignature(signed, SERVER, 'ed25519:2', PUBLIC_KEY));
    assert.ok(!verifyJsonSignature(signed, SERVER, KEY_ID, otherKey));
    assert.ok(
      !verifyJsonSignature(signed, SERVER, 'ed25519:0', PUBLIC_KEY),
      'not base64 of 64 bytes',
    );
    assert.ok(!verifyJsonSignature({ one: 1 }, SERVER, KEY_ID, PUBLIC_KEY), 'no signatures');
    const spoofed = { ...signed, signatures: { domain: { 'curve25519:1': 'x' } } };
    assert.ok(!verifyJsonSignature(spoofed, SERVER, 'curve25519:1', PUBLIC_KEY));
  });

  it('refuses to sign with a non-ed25519 key id and throws on non-canonical JSON', () => {
    assert.throws(() => signJson({}, SERVER, 'curve25519:1', SEED), RangeError);
    assert.throws(() => signJson({ f: 1.5 }, SERVER, KEY_ID, SEED), CanonicalJsonError);
    const legacy = signJson({ f: 1.5 }, SERVER, KEY_ID, SEED, { strict: false });
    assert.throws(
      () => verifyJsonSignature(legacy, SERVER, KEY_ID, PUBLIC_KEY),
      CanonicalJsonError,
    );
    assert.ok(verifyJsonSignature(legacy, SERVER, KEY_ID, PUBLIC_KEY, { strict: false }));
  });
});
