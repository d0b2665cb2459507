// The `Authorization: X-Matrix ...` header that authenticates every federation request: the
// method, target, both server names and the JSON body are signed as one JSON object, and the
// signature travels in the header. Pure: no I/O, keys are passed in.
// https://spec.matrix.org/latest/server-server-api/#request-authentication

import { CanonicalJsonError, type CanonicalJsonOptions } from '../../server/core/canonical-json.ts';
import type { JsonObject, JsonValue } from '../../server/core/pdu.ts';
import type { PrivateKeyInput, PublicKeyInput } from '../../server/core/signing.ts';
import { signJson, verifyJsonSignature } from '../../server/core/signing.ts';

/** What the signature covers. `uri` is the path and query exactly as sent: `/_matrix/...?a=b`. */
export interface SignedRequest {
  readonly method: string;
  readonly uri: string;
  readonly origin: string;
  readonly destination: string;
  /** The JSON-parsed body; undefined when the request has none. */
  readonly content?: JsonValue | undefined;
}

/** The parameters of an X-Matrix header. */
export interface XMatrixAuthorization {
  readonly origin: string;
  /** Optional on receipt: servers older than spec v1.3 do not send it. */
  readonly destination?: string | undefined;
  /** `ed25519:<version>` */
  readonly key: string;
  /** Unpadded base64 signature. */
  readonly sig: string;
}

export class XMatrixParseError extends Error {
  override readonly name = 'XMatrixParseError';
}

// Bodies may carry PDUs of room versions 1 to 5, whose content can hold floats or integers beyond
// 2^53: the strict encoder would refuse them, so a transaction of such events could neither be
// signed nor checked. The request signature does not decide what is valid in a room; the PDU
// checks do.
const REQUEST_JSON: CanonicalJsonOptions = { strict: false };

/** The object that is signed: `{method, uri, origin, destination, content?}`. */
export function requestJson(request: SignedRequest): JsonObject {
  const json: JsonObject = {
    method: request.method,
    uri: request.uri,
    origin: request.origin,
    destination: request.destination,
  };
  if (request.content !== undefined) json.content = request.content;
  return json;
}

/** Signs the request as its origin with `keyId`; the result formats into the header. */
export function signRequest(
  request: SignedRequest,
  keyId: string,
  privateKey: PrivateKeyInput,
): XMatrixAuthorization {
  const signed = signJson(requestJson(request), request.origin, keyId, privateKey, REQUEST_JSON);
  const sig = (signed.signatures[request.origin] as JsonObject)[keyId] as string;
  return { origin: request.origin, destination: request.destination, key: keyId, sig };
}

/** The Authorization header value for a signed request. */
export function authorizationHeader(
  request: SignedRequest,
  signingKey: { readonly keyId: string; readonly privateKey: PrivateKeyInput },
): string {
  return formatXMatrix(signRequest(request, signingKey.keyId, signingKey.privateKey));
}

/**
 * Formats the header as the spec advises senders for older receivers: one space after the scheme,
 * lower-case names, no spaces around commas, every value quoted (server names with a port and
 * IPv6 literals are not tokens).
 */
export function formatXMatrix(auth: XMatrixAuthorization): string {
  const params: [string, string][] = [['origin', auth.origin]];
  if (auth.destination !== undefined) params.push(['destination', auth.destination]);
  params.push(['key', auth.key], ['sig', auth.sig]);
  return `X-Matrix ${params.map(([name, value]) => `${name}=${quote(value)}`).join(',')}`;
}

/**
 * True if `auth.sig` is the origin's signature, by `publicKey`, over the request. The request's
 * origin is the header's; a body with no canonical JSON (a lone surrogate) fails rather than
 * throwing, since it cannot have been signed.
 */
export function verifyRequest(
  request: SignedRequest,
  auth: XMatrixAuthorization,
  publicKey: PublicKeyInput,
): boolean {
  if (request.origin !== auth.origin) return false;
  const signed: JsonObject = {
    ...requestJson(request),
    signatures: { [auth.origin]: { [auth.key]: auth.sig } },
  };
  try {
    return verifyJsonSignature(signed, auth.origin, auth.key, publicKey, REQUEST_JSON);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

/**
 * Parses an X-Matrix Authorization header (RFC 9110 section 11.4): the scheme in any case, then
 * `name=value` pairs in any order, names in any case, values quoted (with backslash escapes) or
 * bare, unknown names ignored. Bare values may hold colons (`origin=hs:8448`), which the spec
 * asks receivers to accept from older senders, and the other visible characters of base64.
 * Throws XMatrixParseError on anything else, on a repeated name, and when origin, key or sig is
 * missing.
 */
export function parseXMatrix(header: string): XMatrixAuthorization {
  const scheme = /^x-matrix[ \t]+/i.exec(header);
  if (!scheme) throw new XMatrixParseError('not an X-Matrix authorization');
  const params = parseParams(header, scheme[0].length);
  const origin = params.get('origin');
  const key = params.get('key');
  const sig = params.get('sig');
  if (origin === undefined || origin === '') throw new XMatrixParseError('origin is missing');
  if (key === undefined || key === '') throw new XMatrixParseError('key is missing');
  if (sig === undefined || sig === '') throw new XMatrixParseError('sig is missing');
  return { origin, destination: params.get('destination'), key, sig };
}

// RFC 9110 token characters.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// A bare value: tokens, plus what older senders leave unquoted (colons of ports, `/` and `=` of
// base64, brackets of IPv6 literals). Only the separators and quotes are excluded.
const BARE_VALUE_CHAR = /[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]/;
// Not allowed in a quoted-string, escaped or not: control characters other than tab.
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== '\t') || code === 0x7f;
}

function parseParams(header: string, start: number): Map<string, string> {
  const params = new Map<string, string>();
  let i = start;
  const skipWhitespace = () => {
    while (header[i] === ' ' || header[i] === '\t') i++;
  };
  const fail = (why: string) => new XMatrixParseError(`${why} at character ${i}`);
  while (i < header.length) {
    skipWhitespace();
    // Empty list elements (`a=1,,b=2`) are allowed by RFC 9110's list rule.
    if (header[i] === ',') {
      i++;
      continue;
    }
    if (i >= header.length) break;
    const nameStart = i;
    while (i < header.length && TCHAR.test(header[i] as string)) i++;
    if (i === nameStart) throw fail('expected a parameter name');
    const name = header.slice(nameStart, i).toLowerCase();
    skipWhitespace();
    if (header[i] !== '=') throw fail(`expected "=" after ${name}`);
    i++;
    skipWhitespace();
    let value = '';
    if (header[i] === '"') {
      i++;
      for (;;) {
        const char = header[i];
        if (char === undefined) throw fail('unterminated quoted value');
        if (isControl(char)) throw fail('control character in a quoted value');
        i++;
        if (char === '"') break;
        if (char === '\\') {
          const escaped = header[i];
          if (escaped === undefined) throw fail('unterminated quoted value');
          if (isControl(escaped)) throw fail('control character in a quoted value');
          value += escaped;
          i++;
        } else {
          value += char;
        }
      }
    } else {
      const valueStart = i;
      while (i < header.length && BARE_VALUE_CHAR.test(header[i] as string)) i++;
      if (i === valueStart) throw fail(`expected a value for ${name}`);
      value = header.slice(valueStart, i);
    }
    if (params.has(name)) throw fail(`${name} given twice`);
    params.set(name, value);
    skipWhitespace();
    if (i < header.length && header[i] !== ',') throw fail('expected ","');
  }
  return params;
}

function quote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * The Authorization header maker for outbound requests of `origin`, in the shape the federation
 * client takes (`authorize(method, uri, destination, body)`); `body` is the JSON sent, if any.
 */
export function xMatrixSigner(
  origin: string,
  signingKey: { readonly keyId: string; readonly privateKey: PrivateKeyInput },
): (method: string, uri: string, destination: string, body: unknown) => string {
  return (method, uri, destination, body) =>
    authorizationHeader(
      { method, uri, origin, destination, content: body as JsonValue | undefined },
      signingKey,
    );
}
