// The server's signing key file, in Synapse's format so keys can move between Synapse and Cairn:
// one key per line, `ed25519 <version> <unpadded base64 of the 32-byte seed>`. Only parsing and
// writing the text lives here; reading the file is the caller's job.

import { decodeBase64, encodeBase64 } from './base64.ts';

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

export const ED25519 = 'ed25519';
export const ED25519_SEED_LENGTH = 32;

export interface SigningKeySeed {
  readonly algorithm: typeof ED25519;
  /** The part after the colon in the key id, e.g. `a_XRhW` in `ed25519:a_XRhW`. */
  readonly version: string;
  readonly seed: Uint8Array;
}

// The spec's grammar for the version part of a server key id (server-server API, key format).
const KEY_VERSION = /^[a-zA-Z0-9_]+$/;

export function isValidKeyVersion(version: string): boolean {
  return KEY_VERSION.test(version);
}

/** `ed25519:<version>`. */
export function keyIdOf(key: Pick<SigningKeySeed, 'algorithm' | 'version'>): string {
  return `${key.algorithm}:${key.version}`;
}

/** Splits a key id at its first colon; undefined if it has no algorithm or no version. */
export function parseKeyId(keyId: string): { algorithm: string; version: string } | undefined {
  const colon = keyId.indexOf(':');
  if (colon <= 0 || colon === keyId.length - 1) return undefined;
  return { algorithm: keyId.slice(0, colon), version: keyId.slice(colon + 1) };
}

/** Parses a signing key file. Blank lines are skipped; anything else malformed throws. */
export function parseSigningKeyFile(text: string): SigningKeySeed[] {
  const keys: SigningKeySeed[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    keys.push(parseLine(line, i + 1));
  }
  return keys;
}

function parseLine(line: string, lineNumber: number): SigningKeySeed {
  const fail = (why: string) => new SigningKeyError(`signing key line ${lineNumber}: ${why}`);
  const fields = line.split(/\s+/);
  if (fields.length !== 3) throw fail('expected "<algorithm> <version> <base64 seed>"');
  const [algorithm, version, encoded] = fields as [string, string, string];
  if (algorithm !== ED25519) throw fail(`unsupported algorithm ${JSON.stringify(algorithm)}`);
  if (!isValidKeyVersion(version)) throw fail(`key version must match ${KEY_VERSION.source}`);
  let seed: Uint8Array;
  try {
    seed = decodeBase64(encoded);
  } catch {
    throw fail('seed is not base64');
  }
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw fail(`seed is ${seed.length} bytes, not ${ED25519_SEED_LENGTH}`);
  }
  return { algorithm, version, seed };
}

/** Writes keys in the same format, one line each, newline-terminated. */
export function serializeSigningKeyFile(keys: readonly SigningKeySeed[]): string {
  return keys
    .map((key) => {
      if (!isValidKeyVersion(key.version)) {
        throw new SigningKeyError(`key version must match ${KEY_VERSION.source}`);
      }
      if (key.seed.length !== ED25519_SEED_LENGTH) {
        throw new SigningKeyError(`seed is ${key.seed.length} bytes, not ${ED25519_SEED_LENGTH}`);
      }
      return `${key.algorithm} ${key.version} ${encodeBase64(key.seed)}\n`;
    })
    .join('');
}
