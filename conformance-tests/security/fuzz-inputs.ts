// fast-check generators of hostile request parts for the endpoint fuzzers: path parameter values,
// query strings and bodies. Bodies are mostly "nearly valid" (built from the route's own JSON
// schema, then broken in one or two places) so that requests get past schema validation into the
// handlers, where a missed case becomes a 500; the rest are plain garbage for the parsers.
import fc from 'fast-check';
import {
  DEPTHS,
  encodePart,
  NASTY_NUMBERS,
  nastyString,
  nastyValue,
  raw,
  writeJson,
} from './fuzz-values.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas are read as plain data
export type Schema = any;

/** Field names worth trying beyond a schema's own: common Matrix fields in the wrong places. */
const FIELD_NAMES = [
  'type',
  'content',
  'body',
  'msgtype',
  'membership',
  'user_id',
  'room_id',
  'event_id',
  'state_key',
  'auth',
  'session',
  'device_id',
  'limit',
  'filter',
  'reason',
  '__proto__',
  'constructor',
  'm.relates_to',
  'signatures',
  'unsigned',
  '',
];

/**
 * A value that the schema nearly accepts: the right shape with some values swapped for nasty
 * ones, required fields sometimes dropped, unknown fields sometimes added. `pool` supplies
 * plausible strings (ids from the test's fixtures) by field name.
 */
export function nearlyValid(
  schema: Schema,
  pool: (name: string) => fc.Arbitrary<string>,
  name = '',
  depth = 0,
): fc.Arbitrary<unknown> {
  const valid = validish(schema, pool, name, depth);
  return fc.oneof(
    // Deeper down, fewer breaks: a body should be wrong in one or two places, not everywhere.
    { arbitrary: valid, weight: depth === 0 ? 6 : 12 },
    { arbitrary: nastyValue, weight: 1 },
  );
}

function validish(
  schema: Schema,
  pool: (name: string) => fc.Arbitrary<string>,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  if (schema === undefined || schema === true || depth > 5) return nastyValue;
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key])) {
      return fc.oneof(
        ...schema[key].map((each: Schema) =>
          validish({ ...schema, [key]: undefined, ...each }, pool, name, depth),
        ),
      );
    }
  }
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return objectFor(schema, pool, depth);
    case 'array': {
      const max = Math.min(schema.maxItems ?? 4, 4);
      const items = fc.array(nearlyValid(schema.items, pool, name, depth + 1), {
        maxLength: max,
      });
      // One more item than allowed, to probe the bound (only when that stays small).
      if (schema.maxItems !== undefined && schema.maxItems < 200) {
        return fc.oneof(
          { arbitrary: items, weight: 4 },
          {
            arbitrary: fc.constant(Array.from({ length: schema.maxItems + 1 }, () => 'x')),
            weight: 1,
          },
        );
      }
      return items;
    }
    case 'string':
      return stringFor(schema, pool, name);
    case 'integer':
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return fc.boolean();
    default:
      return nastyValue;
  }
}

function objectFor(
  schema: Schema,
  pool: (name: string) => fc.Arbitrary<string>,
  depth: number,
): fc.Arbitrary<unknown> {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) {
    model[key] = nearlyValid(sub, pool, key, depth + 1);
  }
  const known = fc.oneof(
    {
      arbitrary: fc.record(model, { requiredKeys: required.filter((key) => key in model) }),
      weight: 3,
    },
    { arbitrary: fc.record(model, { requiredKeys: [] }), weight: 1 },
  );
  // Free-form maps (to-device messages, event content) get keys of their own.
  const extraValue =
    typeof schema.additionalProperties === 'object'
      ? nearlyValid(schema.additionalProperties, pool, '', depth + 1)
      : nastyValue;
  const extraKey = fc.oneof(fc.constantFrom(...FIELD_NAMES), pool(''), nastyString);
  const extras = fc.dictionary(extraKey, extraValue, { maxKeys: 3 });
  return fc
    .tuple(
      known,
      fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, { arbitrary: extras, weight: 1 }),
    )
    .map(([fields, extra]) => Object.assign(Object.create(null), extra, fields));
}

function stringFor(
  schema: Schema,
  pool: (name: string) => fc.Arbitrary<string>,
  name: string,
): fc.Arbitrary<string> {
  const choices: fc.WeightedArbitrary<string>[] = [
    { arbitrary: pool(name), weight: 6 },
    { arbitrary: nastyString, weight: 1 },
  ];
  // At and just past the length bounds.
  if (typeof schema.maxLength === 'number' && schema.maxLength <= 70_000) {
    const max = schema.maxLength;
    choices.push({ arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1)), weight: 1 });
  }
  if (typeof schema.pattern === 'string') {
    choices.push({ arbitrary: fc.stringMatching(new RegExp(schema.pattern)), weight: 2 });
  }
  return fc.oneof(...choices);
}

function numberFor(schema: Schema): fc.Arbitrary<number> {
  const edges: number[] = [...NASTY_NUMBERS];
  for (const bound of [schema.minimum, schema.maximum]) {
    if (typeof bound === 'number') edges.push(bound - 1, bound, bound + 1);
  }
  return fc.oneof(
    fc.constantFrom(...edges),
    schema.type === 'integer' ? fc.integer() : fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
}

export interface FuzzBody {
  /** What kind of input this is, for the report. */
  readonly kind: string;
  /** Absent: the request has no body at all. */
  readonly payload?: string | Buffer;
  readonly contentType?: string;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  undefined,
];

/**
 * Bodies for a route with body schema `schema` (undefined: none declared). `maxBytes` is the
 * server's body limit, probed at one byte under, at, and one over.
 */
export function fuzzBody(
  schema: Schema,
  pool: (name: string) => fc.Arbitrary<string>,
  maxBytes: number,
): fc.Arbitrary<FuzzBody> {
  const json = (kind: string, value: fc.Arbitrary<unknown>) =>
    fc.tuple(value, fc.constantFrom(...CONTENT_TYPES)).map(([each, contentType]) => ({
      kind,
      payload: writeJson(each),
      contentType,
    }));
  const shaped = nearlyValid(schema ?? { type: 'object' }, pool);
  return fc.oneof(
    { arbitrary: json('nearly-valid', shaped), weight: 10 },
    { arbitrary: json('wrong-type', nastyValue), weight: 2 },
    {
      arbitrary: fc
        .tuple(shaped, fc.constantFrom('obj', 'arr'), fc.constantFrom(...DEPTHS))
        .map(([base, kind, depth]) => ({
          kind: 'deep-nesting',
          payload: writeJson({ ...asObject(base), nested: raw(`deep-${kind}-${depth}`) }),
          contentType: 'application/json',
        })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(shaped, fc.constantFrom(-1, 0, 1)).map(([base, offset]) => ({
        kind: `size-limit${offset < 0 ? '-1' : offset > 0 ? '+1' : ''}`,
        payload: padTo(writeJson(asObject(base)), maxBytes + offset),
        contentType: 'application/json',
      })),
      weight: 1,
    },
    { arbitrary: invalidUtf8(shaped), weight: 2 },
    {
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            '{',
            '{"a":',
            '[1,]',
            "{'a':1}",
            'a=b&c=d',
            'undefined',
            '\u0000',
            '{"a":1}}',
          ),
          fc.string({ maxLength: 50 }),
        )
        .map((text) => ({ kind: 'not-json', payload: text, contentType: 'application/json' })),
      weight: 2,
    },
    {
      arbitrary: fc.constantFrom<FuzzBody>(
        { kind: 'empty', payload: '', contentType: 'application/json' },
        { kind: 'empty', payload: '   ' },
        { kind: 'no-body' },
      ),
      weight: 1,
    },
  );
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { value };
}

/** The JSON object `text` with a padding field that makes it exactly `bytes` UTF-8 bytes long. */
function padTo(text: string, bytes: number): string {
  const inner = text.slice(1, -1);
  const prefix = inner === '' ? '{"pad":"' : `{${inner},"pad":"`;
  const fill = bytes - Buffer.byteLength(prefix) - 2;
  return fill < 0 ? text : `${prefix}${'x'.repeat(fill)}"}`;
}

// Byte sequences that are not UTF-8: a lone continuation byte, an overlong encoding, a truncated
// sequence, an encoded surrogate, bytes never valid, a code point past U+10FFFF.
const BAD_UTF8 = [
  [0x80],
  [0xc0, 0x80],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xf4, 0x90, 0x80, 0x80],
];

function invalidUtf8(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzBody> {
  return fc.tuple(shaped, fc.constantFrom(...BAD_UTF8), fc.nat()).map(([base, bad, at]) => {
    // Inside a string value when there is one, so only the bytes are wrong.
    const text = Buffer.from(writeJson({ ...asObject(base), text: 'ab' }));
    const quote = text.lastIndexOf('ab"');
    const cut = quote >= 0 ? quote + 1 : at % (text.length + 1);
    return {
      kind: 'invalid-utf8',
      payload: Buffer.concat([text.subarray(0, cut), Buffer.from(bad), text.subarray(cut)]),
      contentType: 'application/json',
    };
  });
}

/**
 * A path parameter: mostly a plausible value for its name from `pool`, often a nasty one, percent-
 * encoded as a client would; sometimes raw escapes a client should not send.
 */
export function fuzzPathValue(
  name: string,
  pool: (name: string) => fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: pool(name).map(encodePart), weight: 5 },
    { arbitrary: nastyString.map(encodePart), weight: 4 },
    {
      arbitrary: fc.constantFrom('%00', '%ZZ', '%2e%2e', 'a%2Fb', '%C0%AF', '%ED%A0%80', '%FF'),
      weight: 1,
    },
  );
}

// Query parameters Matrix endpoints read, tried on every route (most ignore them).
const QUERY_NAMES = [
  'limit',
  'from',
  'to',
  'dir',
  'filter',
  'since',
  'full_state',
  'set_presence',
  'access_token',
  'user_id',
  'event_id',
  'room_alias',
  'ver',
  'v',
  'ts',
  'server_name',
  'via',
  'allow_remote',
  'width',
  'height',
  'method',
  'animated',
  'recurse',
  'include_unredacted_content',
  'field',
];

/**
 * A query string (with its `?`, or empty) for a route whose query schema is `schema`. Only `0`
 * and garbage for `timeout`: a long-poll that is told to wait is not a hang.
 */
export function fuzzQuery(
  schema: Schema,
  pool: (name: string) => fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  const names = [...new Set([...Object.keys(schema?.properties ?? {}), ...QUERY_NAMES])];
  const value = (name: string): fc.Arbitrary<string> =>
    name === 'timeout' || name === 'timeout_ms'
      ? fc.constantFrom('0', '-1', 'abc', '1.5', '')
      : fc.oneof(
          pool(name),
          nastyString,
          fc.constantFrom(...NASTY_NUMBERS).map(String),
          fc.jsonValue({ maxDepth: 2 }).map((each) => JSON.stringify(each)),
        );
  const pair = fc
    .constantFrom(...names, 'timeout')
    .chain((name) => value(name).map((each) => `${encodePart(name)}=${encodePart(each)}`));
  return fc.oneof(
    { arbitrary: fc.constant(''), weight: 2 },
    {
      arbitrary: fc
        .array(pair, { minLength: 1, maxLength: 4 })
        .map((pairs) => `?${pairs.join('&')}`),
      weight: 5,
    },
    { arbitrary: fc.constantFrom('?', '?&&', '?a', '?%ZZ=1', '?limit=1&limit=2'), weight: 1 },
  );
}

/**
 * Plausible values by name (a path parameter's, a query parameter's or a body field's): the
 * ids of a test's fixtures. Names it does not know get any of them, or a nasty string.
 */
export function poolOf(values: Record<string, string[]>): (name: string) => fc.Arbitrary<string> {
  const everything = [...new Set(Object.values(values).flat())];
  return (name) => {
    const known = values[name];
    return known
      ? fc.constantFrom(...known)
      : fc.oneof(fc.constantFrom(...everything), nastyString);
  };
}
