// Ed25519 signing of JSON, the one place Cairn touches signature crypto. It uses Node's built-in
// crypto (OpenSSL), which signs and verifies over 100x faster than the pure-JavaScript tweetnacl
// (bench/core-signing.bench.ts); a verification is paid on every inbound PDU.
// https://spec.matrix.org/latest/appendices/#signing-json

import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { Base64Error, decodeBase64, encodeBase64 } from './base64.ts';
import { type CanonicalJsonOptions, canonicalJsonBytes } from './canonical-json.ts';
import { isJsonObject, type JsonObject } from './pdu.ts';
import { ED25519, ED25519_SEED_LENGTH } from './signing-key.ts';

/** A private key: the 32-byte seed, or a KeyObject made once from it with privateKeyFromSeed. */
export type PrivateKeyInput = KeyObject | Uint8Array;
/** A public key: its 32 raw bytes, or the unpadded base64 that key servers publish. */
export type PublicKeyInput = Uint8Array | string;

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

// DER headers that wrap a raw Ed25519 seed (PKCS#8) or public key (SPKI) for OpenSSL; RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * A new random seed. The random source is a parameter (pass node:crypto's randomBytes) because
 * core code takes no randomness implicitly.
 */
export function generateSeed(randomBytes: (size: number) => Uint8Array): Uint8Array {
  const seed = randomBytes(ED25519_SEED_LENGTH);
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`random source returned ${seed.length} bytes, not ${ED25519_SEED_LENGTH}`);
  }
  return seed;
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`an ed25519 seed is ${ED25519_SEED_LENGTH} bytes, not ${seed.length}`);
  }
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The raw 32-byte public key of a private key or seed. */
export function publicKeyOf(key: PrivateKeyInput): Uint8Array {
  const der = createPublicKey(toPrivateKey(key)).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length);
}

export function signBytes(data: Uint8Array, key: PrivateKeyInput): Uint8Array {
  return sign(null, data, toPrivateKey(key));
}

/** False for a bad signature and for unusable key material; never throws. */
export function verifyBytes(
  data: Uint8Array,
  signature: Uint8Array,
  publicKey: PublicKeyInput,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  const key = publicKeyObject(publicKey);
  return key !== undefined && verify(null, data, key, signature);
}

/**
 * Signs a JSON object as `entity` with `keyId` (`ed25519:<version>`): the canonical JSON of the
 * object without `signatures` and `unsigned` is signed and the signature added to a copy of the
 * object, keeping the signatures already there. The input is not modified.
 */
export function signJson<T extends JsonObject>(
  object: T,
  entity: string,
  keyId: string,
  key: PrivateKeyInput,
  options?: CanonicalJsonOptions,
): T & { signatures: JsonObject } {
  if (!keyId.startsWith(`${ED25519}:`)) throw new RangeError(`cannot sign with key id ${keyId}`);
  const { signatures, unsigned, ...signed } = object;
  if (signatures !== undefined && !isJsonObject(signatures)) {
    throw new TypeError('signatures is not an object');
  }
  const signature = encodeBase64(signBytes(canonicalJsonBytes(signed, options), key));
  const existing = signatures?.[entity];
  const merged: JsonObject = {
    ...signatures,
    [entity]: { ...(isJsonObject(existing) ? existing : {}), [keyId]: signature },
  };
  const result: JsonObject = { ...signed, signatures: merged };
  if (unsigned !== undefined) result.unsigned = unsigned;
  return result as T & { signatures: JsonObject };
}

/**
 * Checks `entity`'s signature under `keyId` on a JSON object with the given public key. False if
 * the signature is missing, not base64, of an algorithm other than ed25519, or wrong. Throws
 * CanonicalJsonError if the object has no canonical JSON: that is malformed input, not a bad
 * signature, and callers answer it differently (M_BAD_JSON).
 */
export function verifyJsonSignature(
  object: JsonObject,
  entity: string,
  keyId: string,
  publicKey: PublicKeyInput,
  options?: CanonicalJsonOptions,
): boolean {
  if (!keyId.startsWith(`${ED25519}:`)) return false;
  const signatures = object.signatures;
  if (!isJsonObject(signatures)) return false;
  const byEntity = signatures[entity];
  if (!isJsonObject(byEntity)) return false;
  const encoded = byEntity[keyId];
  if (typeof encoded !== 'string') return false;
  let signature: Uint8Array;
  try {
    signature = decodeBase64(encoded);
  } catch (error) {
    if (error instanceof Base64Error) return false;
    throw error;
  }
  const { signatures: _signatures, unsigned: _unsigned, ...signed } = object;
  return verifyBytes(canonicalJsonBytes(signed, options), signature, publicKey);
}

// A seed given as bytes is turned into a KeyObject once per array, not once per signature.
const privateKeys = new WeakMap<Uint8Array, KeyObject>();

function toPrivateKey(key: PrivateKeyInput): KeyObject {
  if (!(key instanceof Uint8Array)) return key;
  let object = privateKeys.get(key);
  if (object === undefined) {
    object = privateKeyFromSeed(key);
    privateKeys.set(key, object);
  }
  return object;
}

// Remote servers' keys recur on every PDU they send, and building a KeyObject costs about as much
// as a verification, so they are cached by their base64 form. The bound keeps a flood of bogus
// keys from growing memory; the least recently used key goes first.
export const PUBLIC_KEY_CACHE_SIZE = 1024;
const publicKeys = new Map<string, KeyObject | null>();

/** The KeyObject for a raw or base64 public key; undefined if it is not a usable Ed25519 key. */
export function publicKeyObject(publicKey: PublicKeyInput): KeyObject | undefined {
  const id = typeof publicKey === 'string' ? publicKey.replace(/=+$/, '') : encodeBase64(publicKey);
  const cached = publicKeys.get(id);
  if (cached !== undefined) {
    publicKeys.delete(id);
    publicKeys.set(id, cached);
    return cached ?? undefined;
  }
  const object = createPublicKeyObject(publicKey);
  if (publicKeys.size >= PUBLIC_KEY_CACHE_SIZE) {
    publicKeys.delete(publicKeys.keys().next().value as string);
  }
  publicKeys.set(id, object ?? null);
  return object;
}

/** How many public keys are cached; for tests and metrics. */
export function publicKeyCacheSize(): number {
  return publicKeys.size;
}

function createPublicKeyObject(publicKey: PublicKeyInput): KeyObject | undefined {
  let raw: Uint8Array;
  try {
    raw = typeof publicKey === 'string' ? decodeBase64(publicKey) : publicKey;
  } catch {
    return undefined;
  }
  if (raw.length !== ED25519_PUBLIC_KEY_LENGTH) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}
