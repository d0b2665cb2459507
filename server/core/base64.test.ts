import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Base64Error,
  decodeBase64,
  decodeBase64Url,
  encodeBase64,
  encodeBase64Url,
} from './base64.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

// https://spec.matrix.org/latest/appendices/#unpadded-base64
const SPEC_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  ['f', 'Zg'],
  ['fo', 'Zm8'],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg'],
  ['fooba', 'Zm9vYmE'],
  ['foobar', 'Zm9vYmFy'],
];

describe('base64', () => {
  it('encodes the spec examples unpadded', () => {
    for (const [plain, encoded] of SPEC_EXAMPLES) assert.equal(encodeBase64(bytes(plain)), encoded);
  });

  it('decodes with and without padding', () => {
    for (const [plain, encoded] of SPEC_EXAMPLES) {
      const padded = encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '=');
      assert.equal(text(decodeBase64(encoded)), plain);
      assert.equal(text(decodeBase64(padded)), plain);
      assert.equal(text(decodeBase64Url(padded)), plain);
    }
  });

  it('uses + and / in standard, - and _ in URL-safe', () => {
    const data = Uint8Array.of(0xfb, 0xff, 0xbf);
    assert.equal(encodeBase64(data), '+/+/');
    assert.equal(encodeBase64Url(data), '-_-_');
    assert.deepEqual([...decodeBase64('+/+/')], [0xfb, 0xff, 0xbf]);
    assert.deepEqual([...decodeBase64Url('-_-_')], [0xfb, 0xff, 0xbf]);
    assert.throws(() => decodeBase64('-_-_'), Base64Error);
    assert.throws(() => decodeBase64Url('+/+/'), Base64Error);
  });

  it('accepts non-zero trailing bits, as in the spec test seed', () => {
    const canonical = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0');
    const seed = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
    assert.equal(seed.length, 32);
    assert.deepEqual(seed, canonical);
  });

  it('rejects what is not base64 instead of skipping it as Buffer does', () => {
    for (const bad of [
      'Zg=',
      'Zm9v=',
      'Z',
      'Zm9vY',
      'Zg===',
      'Zm 9v',
      'Zm9v\n',
      '!!!!',
      'Zg==Zg',
      '=Zg',
    ]) {
      assert.throws(() => decodeBase64(bad), Base64Error, JSON.stringify(bad));
    }
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        assert.deepEqual([...decodeBase64(encodeBase64(data))], [...data]);
        assert.deepEqual([...decodeBase64Url(encodeBase64Url(data))], [...data]);
        assert.ok(!encodeBase64(data).includes('='));
      }),
    );
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    const backing = Uint8Array.of(1, 2, 0x66, 0x6f, 3);
    assert.equal(encodeBase64(backing.subarray(2, 4)), 'Zm8');
  });
});
