// Unpadded base64, the encoding of every key, signature and hash in Matrix, and its URL-safe
// variant used in event ids from room version 4. Decoding accepts padded and unpadded input, as
// the spec asks. https://spec.matrix.org/latest/appendices/#unpadded-base64
//
// Buffer's own decoder is used for speed, but it skips any character it does not know and never
// fails, so the alphabet and length are checked first: a malformed signature must fail to decode.

export class Base64Error extends Error {
  override readonly name = 'Base64Error';
}

const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** Unpadded standard base64 (`+` and `/`). */
export function encodeBase64(bytes: Uint8Array): string {
  return stripPadding(asBuffer(bytes).toString('base64'));
}

/** Unpadded URL-safe base64 (`-` and `_`). */
export function encodeBase64Url(bytes: Uint8Array): string {
  // Node writes base64url without padding already.
  return asBuffer(bytes).toString('base64url');
}

/** Decodes standard base64, padded or not. Throws Base64Error on anything else. */
export function decodeBase64(text: string): Uint8Array {
  return Buffer.from(checked(text, STANDARD, 'base64'), 'base64');
}

/** Decodes URL-safe base64, padded or not. Throws Base64Error on anything else. */
export function decodeBase64Url(text: string): Uint8Array {
  return Buffer.from(checked(text, URL_SAFE, 'URL-safe base64'), 'base64url');
}

// Trailing bits of the last character are not required to be zero: the spec's own test seed
// ("...XA1") has them set, as do keys written by other servers.
function checked(text: string, alphabet: RegExp, label: string): string {
  const body = stripPadding(text);
  const padding = text.length - body.length;
  if (body.length % 4 === 1) throw new Base64Error(`${label} of impossible length ${text.length}`);
  if (padding > 0 && text.length % 4 !== 0) {
    throw new Base64Error(`${label} has ${padding} padding characters for length ${body.length}`);
  }
  if (!alphabet.test(body))
    throw new Base64Error(`not ${label}: ${JSON.stringify(text.slice(0, 50))}`);
  return body;
}

function stripPadding(text: string): string {
  if (text.endsWith('==')) return text.slice(0, -2);
  if (text.endsWith('=')) return text.slice(0, -1);
  return text;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
