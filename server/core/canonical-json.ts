// Matrix canonical JSON: the byte form that every hash and signature in Matrix covers. Two servers
// must produce identical bytes for the same value, so every rule here is exact, not "close to
// JSON.stringify". https://spec.matrix.org/latest/appendices/#canonical-json
//
// This is not the npm `canonicaljson` package (gibson042's canonicaljson-spec), which differs from
// Matrix: see canonical-json.test.ts for the concrete cases.

import type { JsonValue } from './pdu.ts';

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

export interface CanonicalJsonOptions {
  /**
   * Default true: floats and integers outside [-(2^53)+1, 2^53-1] throw, as room versions 6 and
   * later require. Set false only to hash or verify events of room versions 1 to 5, which may
   * carry such numbers (the spec asks servers to cope with them); Cairn never creates them.
   */
  readonly strict?: boolean;
}

/** Encodes a JSON value as Matrix canonical JSON. Throws CanonicalJsonError on a value that has none. */
export function encodeCanonicalJson(value: JsonValue, options?: CanonicalJsonOptions): string {
  return encodeValue(value, options?.strict !== false);
}

/** The UTF-8 bytes of the canonical JSON: what hashes and signatures are computed over. */
export function canonicalJsonBytes(value: JsonValue, options?: CanonicalJsonOptions): Buffer {
  return Buffer.from(encodeValue(value, options?.strict !== false), 'utf8');
}

/**
 * Orders strings by Unicode code point, as the spec sorts keys. JavaScript's `<` and default sort
 * compare UTF-16 code units instead, which put astral characters (stored as surrogates
 * U+D800..U+DFFF) before U+E000..U+FFFF although their code points are higher.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Moves surrogates above the rest of the BMP, so comparing ranks compares code points: at the
// first differing unit the two strings agree on everything before, so a surrogate there always
// starts (or continues) a character above U+FFFF.
function codeUnitRank(unit: number): number {
  if (unit < 0xd800) return unit;
  if (unit <= 0xdfff) return unit + 0x2000;
  return unit - 0x800;
}

// Written out by hand rather than as JSON.stringify of a key-sorted copy: objects enumerate
// integer-like keys ("9" before "10") ahead of the others whatever the insertion order, and a
// "__proto__" key would set the copy's prototype instead of adding a member.
function encodeValue(value: JsonValue, strict: boolean): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value, strict);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return encodeArray(value, strict);
      return encodeObject(value, strict);
    default:
      throw new CanonicalJsonError(`a ${typeof value} is not a JSON value`);
  }
}

function encodeString(value: string): string {
  // A lone surrogate has no UTF-8 form: Buffer.from would silently turn it into U+FFFD, so two
  // different strings would hash alike. Synapse (Python) fails to encode it too.
  if (!value.isWellFormed()) {
    throw new CanonicalJsonError('string contains a lone surrogate, which UTF-8 cannot encode');
  }
  // For well-formed strings, JSON.stringify escapes exactly what the spec's grammar escapes:
  // `"` and `\`, \b \t \n \f \r, and the other C0 controls as \u00xx in lowercase hex; all else
  // (including U+007F, U+2028, `/` and non-ASCII) is left as UTF-8.
  return JSON.stringify(value);
}

function encodeNumber(value: number, strict: boolean): string {
  // String(-0) is "0", which is what the spec's example asks for -0.
  if (Number.isSafeInteger(value)) return String(value);
  if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} is not a JSON number`);
  if (strict) {
    throw new CanonicalJsonError(
      Number.isInteger(value)
        ? `integer ${value} is outside [-(2^53)+1, 2^53-1]`
        : `${value} is not an integer`,
    );
  }
  // Legacy rooms only. This is JavaScript's shortest round-trip form, which is what the sender
  // wrote only for the common cases (1.5, 0.25, integers below 1e21); a number JSON.parse already
  // rounded cannot be reproduced by any encoder.
  return JSON.stringify(value);
}

function encodeArray(values: readonly JsonValue[], strict: boolean): string {
  if (values.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += encodeValue(values[i] as JsonValue, strict);
  }
  return `${out}]`;
}

function encodeObject(object: { readonly [key: string]: JsonValue }, strict: boolean): string {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    // A Date, Map or class instance would otherwise encode as its enumerable fields, silently.
    throw new CanonicalJsonError(`a ${proto?.constructor?.name ?? 'non-plain'} object is not JSON`);
  }
  const keys = Object.keys(object);
  if (keys.length === 0) return '{}';
  sortKeys(keys);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const member = object[key];
    if (member === undefined) {
      // JSON.stringify would drop the member and npm canonicaljson would write null: refusing is
      // the only choice that cannot hash something other than what is sent.
      throw new CanonicalJsonError(`member ${JSON.stringify(key)} is undefined`);
    }
    if (i > 0) out += ',';
    out += encodeString(key);
    out += ':';
    out += encodeValue(member, strict);
  }
  return `${out}}`;
}

// Code unit order equals code point order unless a key holds a unit at or above U+D800, so the
// fast default sort is used and the exact comparator only when such a key exists.
const HIGH_UNITS = /[\ud800-\uffff]/;

function sortKeys(keys: string[]): void {
  for (const key of keys) {
    if (HIGH_UNITS.test(key)) {
      keys.sort(compareCodePoints);
      return;
    }
  }
  keys.sort();
}
