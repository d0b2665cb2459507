// Hostile values for the endpoint fuzzers: strings, numbers and JSON that have broken parsers,
// routers, databases and encoders before, JSON text no serializer writes (numbers past double
// range, nesting 100,000 deep), and `mutated`, which breaks a valid template in a few places.
import fc from 'fast-check';

/** Values that have broken parsers, routers, databases and canonical JSON encoders before. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '..',
  '../../../etc/passwd',
  '/',
  '\\',
  '"',
  "'; DROP TABLE events; --",
  '%',
  '%ZZ',
  '\ud800',
  'a\udfffb',
  '\uffff',
  '\u202e',
  '\u200b',
  'é',
  '🦀',
  '\r\n',
  'null',
  'true',
  '0',
  '-1',
  '1e999',
  'NaN',
  '<script>',
  '$',
  '!',
  '@',
  '#',
  '@:',
  '!:',
  '$:',
  '@a:',
  '!room:',
  '@user:[::1]',
  '@user:example.org:99999999',
  '@user:-bad-.org',
  'ed25519:',
  'm.room.member',
  '{}',
  '[]',
];

/** Numbers at the edges: of JavaScript, of JSON (2^53), of PostgreSQL integer and bigint. */
export const NASTY_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1.5,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  1e308,
  -1e308,
  5e-324,
];

// JSON text the JSON.stringify of a generated value cannot produce: a string `@@RAW:x@@` in the
// value is replaced by the raw text `x` (or, for `deep-*`, by that many levels of nesting) when
// the body is written. Numbers beyond double range parse to Infinity, which has no JSON form.
const RAW_TOKENS = [
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '1E400',
  '0.1e-400',
  '-0.0',
] as const;
export const DEPTHS = [64, 512, 1000, 10_000, 100_000] as const;

export const raw = (text: string) => `@@RAW:${text}@@`;

export function writeJson(value: unknown): string {
  return JSON.stringify(value).replace(/"@@RAW:([^@"]*)@@"/g, (_match, token: string) => {
    const deep = /^deep-(obj|arr)-(\d+)$/.exec(token);
    if (!deep) return token;
    const depth = Number(deep[2]);
    return deep[1] === 'obj'
      ? `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}${']'.repeat(depth)}`;
  });
}

const hugeString = fc
  .tuple(
    fc.constantFrom(255, 256, 1000, 1001, 4096, 65_536),
    fc.constantFrom('a', 'é', '🦀', '\u0000'),
  )
  .map(([length, unit]) => unit.repeat(length));

const smallNastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 1 },
);

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: smallNastyString, weight: 7 },
  { arbitrary: hugeString, weight: 1 },
);

function nastyValues(huge: boolean): fc.Arbitrary<unknown> {
  const depths = huge ? DEPTHS : DEPTHS.filter((depth) => depth <= 1000);
  return fc.oneof(
    { arbitrary: huge ? nastyString : smallNastyString, weight: 4 },
    { arbitrary: fc.constantFrom(...NASTY_NUMBERS), weight: 2 },
    { arbitrary: fc.constantFrom(...RAW_TOKENS).map(raw), weight: 1 },
    { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('obj', 'arr'), fc.constantFrom(...depths))
        .map(([kind, depth]) => raw(`deep-${kind}-${depth}`)),
      weight: 1,
    },
    {
      arbitrary: fc.array(fc.constantFrom('a', 1, null), {
        minLength: huge ? 1000 : 10,
        maxLength: huge ? 3000 : 100,
      }),
      weight: 1,
    },
  );
}

/** Any JSON-ish value of the wrong kind, including the raw tokens, deep nesting and huge sizes. */
export const nastyValue: fc.Arbitrary<unknown> = nastyValues(true);
/** The same without the sizes that alone pass the body limit: for values inside bigger ones. */
export const smallNastyValue: fc.Arbitrary<unknown> = nastyValues(false);

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is written as the three
 * bytes UTF-8 would give it if it were allowed (WTF-8): a percent-escape that is not UTF-8.
 */
export function encodePart(text: string): string {
  return text.replace(/[\ud800-\udfff]|[^\ud800-\udfff]+/gu, (part) => {
    try {
      return encodeURIComponent(part);
    } catch {
      const code = part.charCodeAt(0);
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    }
  });
}

/**
 * `template` with a few fields (one in about thirty) swapped for nasty values or dropped, and
 * sometimes an unknown one added, recursively: what a buggy or hostile peer sends, still close
 * enough to the real thing to get past the first checks.
 */
export function mutated(template: unknown, depth = 0): fc.Arbitrary<unknown> {
  if (typeof template !== 'object' || template === null || Array.isArray(template) || depth > 4) {
    return fc.oneof(
      { arbitrary: fc.constant(template), weight: 30 },
      { arbitrary: smallNastyValue, weight: 1 },
    );
  }
  const entries = Object.entries(template);
  const fields = entries.map(([key, value]) =>
    fc.oneof(
      { arbitrary: mutated(value, depth + 1).map((each) => [key, each] as const), weight: 40 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    ),
  );
  const extra = fc.option(fc.tuple(smallNastyString, smallNastyValue), { freq: 10 });
  return fc.tuple(fc.tuple(...fields), extra).map(([kept, added]) => {
    const out: Record<string, unknown> = Object.create(null);
    if (added) out[added[0]] = added[1];
    for (const field of kept) if (field) out[field[0]] = field[1];
    return out;
  });
}
