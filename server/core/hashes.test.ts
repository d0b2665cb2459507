import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from './base64.ts';
import { CanonicalJsonError } from './canonical-json.ts';
import {
  GMSL_V1_EVENT,
  GMSL_V5_CREATE_EVENT,
  RC_V10,
  SPEC_MESSAGE_EVENT,
  SPEC_MINIMAL_EVENT,
} from './event-test-vectors.ts';
import {
  addContentHash,
  checkContentHash,
  computeContentHash,
  computeReferenceHash,
  sha256,
} from './hashes.ts';
import type { Pdu } from './pdu.ts';
import { getRoomVersion } from './room-versions.ts';

const version = (id: string) => getRoomVersion(id)!;

describe('content hash', () => {
  it('matches the spec event signing vectors', () => {
    assert.equal(
      encodeBase64(computeContentHash(SPEC_MINIMAL_EVENT.input)),
      '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos',
    );
    assert.equal(
      encodeBase64(computeContentHash(SPEC_MESSAGE_EVENT.input)),
      'onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g',
    );
  });

  it('checks the hashes of real events', () => {
    for (const pdu of [
      GMSL_V1_EVENT,
      GMSL_V5_CREATE_EVENT.pdu,
      ...RC_V10.events.map((e) => e.pdu),
    ]) {
      assert.ok(checkContentHash(pdu), pdu.type);
    }
  });

  it('ignores unsigned, signatures and existing hashes, but covers everything else', () => {
    const base = SPEC_MINIMAL_EVENT.input;
    const expected = computeContentHash(base);
    const noise = { ...base, unsigned: { age: 9 }, signatures: { x: {} }, hashes: { sha512: 'x' } };
    assert.deepEqual(computeContentHash(noise), expected);
    assert.notDeepEqual(computeContentHash({ ...base, content: { body: 'x' } }), expected);
    assert.notDeepEqual(computeContentHash({ ...base, origin: 'elsewhere' }), expected);
  });

  it('adds hashes.sha256, replacing other hashes, without touching the input', () => {
    const input = { ...SPEC_MINIMAL_EVENT.input, hashes: { sha256: 'old', other: 'x' } };
    const hashed = addContentHash(input);
    assert.deepEqual(hashed.hashes, { sha256: '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos' });
    assert.deepEqual(input.hashes, { sha256: 'old', other: 'x' });
    assert.ok(checkContentHash(hashed));
  });

  it('rejects a wrong, missing, malformed or padded-wrong hash and accepts a padded right one', () => {
    const signed = SPEC_MINIMAL_EVENT.signed;
    assert.ok(
      checkContentHash({
        ...signed,
        hashes: { sha256: '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos=' },
      }),
    );
    assert.ok(!checkContentHash({ ...signed, depth: 4 }));
    assert.ok(!checkContentHash({ ...signed, hashes: {} }));
    assert.ok(!checkContentHash({ ...signed, hashes: { sha256: 'not base64!' } }));
    assert.ok(!checkContentHash({ ...signed, hashes: { sha256: encodeBase64(sha256('x')) } }));
  });

  it('is strict about numbers unless told otherwise', () => {
    const legacy = { ...SPEC_MINIMAL_EVENT.input, content: { weight: 0.5 } } as Pdu;
    assert.throws(() => computeContentHash(legacy), CanonicalJsonError);
    assert.equal(computeContentHash(legacy, { strict: false }).length, 32);
  });
});

describe('reference hash', () => {
  it('is the hash behind v3 and v4 event ids of a real event', () => {
    const hash = encodeBase64(computeReferenceHash(version('3'), GMSL_V5_CREATE_EVENT.pdu));
    assert.equal(`$${hash}`, GMSL_V5_CREATE_EVENT.v3EventId);
  });

  it('covers only the redacted event, without signatures and unsigned', () => {
    const v4 = version('4');
    const pdu = GMSL_V5_CREATE_EVENT.pdu;
    const expected = computeReferenceHash(v4, pdu);
    const changed = {
      ...pdu,
      unsigned: { age: 1 },
      signatures: {},
      age_ts: 5,
      content: { ...pdu.content, 'm.federate': false },
    } as Pdu;
    assert.deepEqual(computeReferenceHash(v4, changed), expected);
    assert.notDeepEqual(computeReferenceHash(v4, { ...pdu, depth: 2 }), expected);
  });

  it('is strict from room version 6 only', () => {
    const pdu = { ...GMSL_V5_CREATE_EVENT.pdu, depth: 2 ** 53 } as Pdu;
    assert.equal(computeReferenceHash(version('5'), pdu).length, 32);
    assert.throws(() => computeReferenceHash(version('6'), pdu), CanonicalJsonError);
  });
});
