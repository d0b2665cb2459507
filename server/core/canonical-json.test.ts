import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CanonicalJsonError,
  canonicalJsonBytes,
  compareCodePoints,
  encodeCanonicalJson,
} from './canonical-json.ts';
import type { JsonValue } from './pdu.ts';

// The package ships no type declarations; this is the one function compared.
const { stringify: npmCanonicalJson } = createRequire(import.meta.url)('canonicaljson') as {
  stringify: (value: unknown) => string;
};

// Every input/output pair of https://spec.matrix.org/latest/appendices/#examples, inputs as the
// JSON text the spec gives (so `-0` and `1e10` go through JSON.parse as they would off the wire).
const SPEC_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['{}', '{}'],
  ['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
  ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
  ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
  [
    `{"auth": {"success": true, "mxid": "@john.doe:example.com", "profile": {"display_name": "John Doe",
      "three_pids": [{"medium": "email", "address": "john.doe@example.org"},
                     {"medium": "msisdn", "address": "123456789"}]}}}`,
    '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
  ],
  ['{"a": "日本語"}', '{"a":"日本語"}'],
  ['{"本": 2, "日": 1}', '{"日":1,"本":2}'],
  ['{"a": "\\u65E5"}', '{"a":"日"}'],
  ['{"a": null}', '{"a":null}'],
  ['{"a": -0, "b": 1e10}', '{"a":0,"b":10000000000}'],
];

const encode = (value: unknown, strict = true) =>
  encodeCanonicalJson(value as JsonValue, { strict });

describe('encodeCanonicalJson: spec appendix examples', () => {
  for (const [input, expected] of SPEC_EXAMPLES) {
    it(`encodes ${JSON.stringify(input).slice(0, 40)}`, () => {
      assert.equal(encode(JSON.parse(input)), expected);
    });
  }
});

describe('encodeCanonicalJson: edge cases', () => {
  it('sorts keys by code point, not UTF-16 code unit', () => {
    // U+1F600 is the surrogate pair D83D DE00: below U+E000 as code units, above as a code point.
    const value = { '\u{1F600}': 1, '\uE000': 2, '\uFFFF': 3, a: 4, '': 5, é: 6 };
    assert.equal(encode(value), '{"":5,"a":4,"é":6,"\uE000":2,"\uFFFF":3,"\u{1F600}":1}');
    assert.ok(compareCodePoints('\u{10000}', '\uFFFF') > 0);
    assert.ok('\u{10000}' < '\uFFFF', 'JavaScript code unit order disagrees, hence the comparator');
  });

  it('orders astral keys among themselves and prefixes first', () => {
    const value = { '\u{1F601}': 1, '\u{1F600}': 2, '\u{1F600}a': 3, '\u{10FFFF}': 4 };
    assert.equal(encode(value), '{"\u{1F600}":2,"\u{1F600}a":3,"\u{1F601}":1,"\u{10FFFF}":4}');
  });

  it('sorts integer-like keys as strings and keeps a __proto__ key', () => {
    assert.equal(
      encode(JSON.parse('{"9":1,"10":2,"a":3,"__proto__":4}')),
      '{"10":2,"9":1,"__proto__":4,"a":3}',
    );
  });

  it('escapes control characters as the grammar says', () => {
    const controls = String.fromCharCode(...Array.from({ length: 0x20 }, (_, i) => i));
    assert.equal(
      encode(controls),
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
        '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"',
    );
    assert.equal(encode('"\\/\u007f\u2028\u2029'), '"\\"\\\\/\u007f\u2028\u2029"');
  });

  it('writes non-ASCII as UTF-8, not escapes', () => {
    assert.equal(encode({ k: 'é日\u{1F600}' }), '{"k":"é日\u{1F600}"}');
    assert.deepEqual(
      [...canonicalJsonBytes({ k: 'é\u{1F600}' })],
      [0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x22, 0x7d],
    );
  });

  it('rejects lone surrogates in values and keys', () => {
    assert.throws(() => encode('\uD800'), CanonicalJsonError);
    assert.throws(() => encode({ '\uDC00': 1 }), CanonicalJsonError);
  });

  it('encodes nested arrays and objects', () => {
    assert.equal(
      encode({ z: [1, [2, { y: true, x: false }], []], a: { c: {}, b: null } }),
      '{"a":{"b":null,"c":{}},"z":[1,[2,{"x":false,"y":true}],[]]}',
    );
    assert.equal(encode([]), '[]');
    assert.equal(encode('top'), '"top"');
  });

  it('accepts exactly the integers in [-(2^53)+1, 2^53-1] and -0', () => {
    assert.equal(
      encode([2 ** 53 - 1, -(2 ** 53 - 1), 0, -0]),
      '[9007199254740991,-9007199254740991,0,0]',
    );
    for (const bad of [
      2 ** 53,
      -(2 ** 53),
      1e21,
      1.5,
      0.1,
      -1e-7,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]) {
      assert.throws(() => encode({ n: bad }), CanonicalJsonError, String(bad));
    }
  });

  it('allows floats and big integers only when not strict (legacy room versions)', () => {
    assert.equal(
      encode({ f: 1.5, big: 2 ** 53, tiny: 1e-7 }, false),
      '{"big":9007199254740992,"f":1.5,"tiny":1e-7}',
    );
    assert.throws(() => encode({ n: Number.NaN }, false), CanonicalJsonError);
  });

  it('refuses values that are not JSON', () => {
    for (const bad of [undefined, () => 1, 1n, Symbol('s'), new Date(0), new Map()]) {
      assert.throws(() => encode({ v: bad }), CanonicalJsonError);
    }
    assert.throws(() => encode([1, undefined]), CanonicalJsonError);
    assert.equal(encode(Object.assign(Object.create(null), { b: 1, a: 2 })), '{"a":2,"b":1}');
  });
});

// Matrix-valid JSON: safe integers, well-formed strings (any code point), nested.
const matrixJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value')),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { noNullPrototype: true }),
  ),
})).value as fc.Arbitrary<JsonValue>;

// Independent oracle for key order: compare arrays of code points.
function byCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

describe('encodeCanonicalJson: properties', () => {
  it('round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(matrixJson, (value) => {
        assert.deepEqual(JSON.parse(encode(value)), value);
      }),
    );
  });

  it('equals JSON.stringify of a copy with keys inserted in code point order', () => {
    const sortedCopy = (v: JsonValue): JsonValue => {
      if (Array.isArray(v)) return v.map(sortedCopy);
      if (v === null || typeof v !== 'object') return v;
      // Integer-like keys would jump ahead in insertion order, so prefix every key.
      return Object.fromEntries(
        Object.keys(v)
          .sort(byCodePoints)
          .map((k) => [`_${k}`, sortedCopy(v[k] as JsonValue)]),
      );
    };
    const prefixed = (v: JsonValue): JsonValue => {
      if (Array.isArray(v)) return v.map(prefixed);
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [`_${k}`, prefixed(x)]));
    };
    fc.assert(
      fc.property(matrixJson, (value) => {
        assert.equal(encode(prefixed(value)), JSON.stringify(sortedCopy(value)));
      }),
    );
  });
});

describe('npm canonicaljson differs from Matrix canonical JSON', () => {
  // Each case pins what the package writes, so a package upgrade that changes it shows up here.
  it('escapes control characters in uppercase hex; Matrix requires lowercase', () => {
    assert.equal(npmCanonicalJson({ a: '\u001b' }), '{"a":"\\u001B"}');
    assert.equal(encode({ a: '\u001b' }), '{"a":"\\u001b"}');
  });

  it('writes floats in exponent form; Matrix forbids floats', () => {
    assert.equal(npmCanonicalJson({ a: 1.5 }), '{"a":1.5E0}');
    assert.throws(() => encode({ a: 1.5 }), CanonicalJsonError);
  });

  it('writes integers beyond 2^53 when they have few significant digits', () => {
    assert.equal(npmCanonicalJson({ a: 1e21 }), '{"a":1000000000000000000000}');
    assert.throws(() => encode({ a: 1e21 }), CanonicalJsonError);
  });

  it('writes undefined members as null; Matrix has no undefined', () => {
    assert.equal(npmCanonicalJson({ a: undefined }), '{"a":null}');
    assert.throws(() => encode({ a: undefined }), CanonicalJsonError);
  });

  it('escapes lone surrogates; they have no UTF-8 form, so Matrix (and Synapse) reject them', () => {
    assert.equal(npmCanonicalJson({ a: '\uD800' }), '{"a":"\\uD800"}');
    assert.throws(() => encode({ a: '\uD800' }), CanonicalJsonError);
  });

  it('writes NaN, calls toJSON and drops array holes', () => {
    assert.equal(npmCanonicalJson({ a: Number.NaN }), '{"a":NAN}');
    assert.equal(npmCanonicalJson({ a: new Date(0) }), '{"a":"1970-01-01T00:00:00.000Z"}');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    assert.equal(npmCanonicalJson([, 1]), '[1]');
  });

  it('agrees on key order, -0, UTF-8 and the spec examples', () => {
    for (const [input, expected] of SPEC_EXAMPLES) {
      assert.equal(npmCanonicalJson(JSON.parse(input)), expected);
    }
    const astral = { '\u{1F600}': 1, '\uE000': 2 };
    assert.equal(npmCanonicalJson(astral), encode(astral));
  });
});
