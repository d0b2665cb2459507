// EIP-4361 messages, pure: parsing (with the `siwe` package's ABNF parser, which also checks the
// EIP-55 address checksum, the nonce and the time syntax) and the checks a message must pass for
// this server at a given time. No I/O: the nonce store and the signature are checked elsewhere
// (siwe-proof.ts). https://eips.ethereum.org/EIPS/eip-4361
import { SiweMessage } from 'siwe';
import { invalidParam } from '../../http/matrix-error.ts';

/** Longest message accepted: real ones are a few hundred characters. */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * A client's clock may run ahead of ours: an issued-at or not-before up to this far in the
 * future is accepted. Expiry gets no such grace: an expired message is refused.
 */
export const CLOCK_SKEW_MS = 60_000;

export interface SiweFields {
  readonly scheme: string | undefined;
  readonly domain: string;
  /** EIP-55 checksummed, as the message spells it (the parser refuses a wrong checksum). */
  readonly address: string;
  readonly uri: string;
  readonly chainId: number;
  readonly nonce: string;
  readonly issuedAtMs: number;
  readonly expirationMs: number | undefined;
  readonly notBeforeMs: number | undefined;
}

export interface SiweExpectations {
  /** The server name: the only domain a message may be for. */
  readonly domain: string;
  /** public_baseurl: the URI (and the scheme, if given) must be on its origin. */
  readonly baseUrl: string;
  readonly chainId: number;
  readonly now: number;
}

/** The fields of an EIP-4361 message, or 400 M_INVALID_PARAM saying why it is not one. */
export function parseSiweMessage(text: string): SiweFields {
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw invalidParam(`message is longer than ${MAX_MESSAGE_LENGTH} characters`);
  }
  let parsed: SiweMessage;
  try {
    parsed = new SiweMessage(text);
  } catch (error) {
    // The parser's first line names the offending line ("line 9: invalid nonce").
    const reason = String((error as Error)?.message ?? error).split('\n')[0];
    throw invalidParam(`message is not an EIP-4361 message: ${reason}`);
  }
  // The grammar makes Issued At mandatory; the parser's type does not promise it.
  if (parsed.issuedAt === undefined) throw invalidParam('message has no Issued At');
  return {
    scheme: parsed.scheme,
    domain: parsed.domain,
    address: parsed.address,
    uri: parsed.uri,
    chainId: parsed.chainId,
    nonce: parsed.nonce,
    issuedAtMs: timeOf(parsed.issuedAt, 'Issued At'),
    expirationMs: optionalTime(parsed.expirationTime, 'Expiration Time'),
    notBeforeMs: optionalTime(parsed.notBefore, 'Not Before'),
  };
}

/** Why the message is refused here and now, or undefined if it passes. */
export function siweMessageRejection(
  fields: SiweFields,
  expect: SiweExpectations,
): string | undefined {
  if (fields.domain.toLowerCase() !== expect.domain.toLowerCase()) {
    return `The message is for ${fields.domain}, not ${expect.domain}`;
  }
  const base = new URL(expect.baseUrl);
  if (fields.scheme !== undefined && `${fields.scheme}:` !== base.protocol) {
    return `The message's scheme ${fields.scheme} is not this server's (${base.protocol.slice(0, -1)})`;
  }
  if (originOf(fields.uri) !== base.origin) {
    return `The message's URI ${fields.uri} is not on ${base.origin}`;
  }
  if (fields.chainId !== expect.chainId) {
    return `The message is for chain ${fields.chainId}, not ${expect.chainId}`;
  }
  if (fields.issuedAtMs > expect.now + CLOCK_SKEW_MS) return 'The message is issued in the future';
  if (fields.notBeforeMs !== undefined && fields.notBeforeMs > expect.now + CLOCK_SKEW_MS) {
    return 'The message is not valid yet';
  }
  if (fields.expirationMs !== undefined && fields.expirationMs <= expect.now) {
    return 'The message has expired';
  }
  return undefined;
}

function originOf(uri: string): string | undefined {
  try {
    // Opaque URIs (urn:, did:) have the origin "null": never this server's.
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

function timeOf(text: string, field: string): number {
  // RFC 3339 as the grammar allows, except what Date cannot read (a leap second, 60).
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalidParam(`message has an unreadable ${field}: ${text}`);
  return ms;
}

function optionalTime(text: string | undefined, field: string): number | undefined {
  return text === undefined ? undefined : timeOf(text, field);
}
