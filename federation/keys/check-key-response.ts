// Checks a key server response (GET /_matrix/key/v2/server, or one entry of a notary's answer)
// before any of its keys is trusted: it names the server asked about, and every ed25519 key it
// lists as current has signed it. Pure: the caller gives the time.
// https://spec.matrix.org/latest/server-server-api/#retrieving-server-keys
import { decodeBase64 } from '../../server/core/base64.ts';
import { CanonicalJsonError } from '../../server/core/canonical-json.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { ED25519_PUBLIC_KEY_LENGTH, verifyJsonSignature } from '../../server/core/signing.ts';

/** The spec caps how long a published key may be trusted, whatever valid_until_ts says. */
export const MAX_KEY_VALIDITY_MS = 7 * 24 * 3600_000;

export class KeyResponseError extends Error {
  override readonly name = 'KeyResponseError';
}

export interface CheckedKeyResponse {
  readonly serverName: string;
  /** The response with only the server's own signatures: what a notary serves again. */
  readonly response: JsonObject;
  /** As published. */
  readonly validUntilTs: number;
  /** The lesser of validUntilTs and 7 days after `now`: how long the keys are used. */
  readonly usableUntilTs: number;
  readonly verifyKeys: readonly { readonly keyId: string; readonly publicKey: string }[];
  readonly oldVerifyKeys: readonly {
    readonly keyId: string;
    readonly publicKey: string;
    readonly expiredTs: number;
  }[];
}

/**
 * Throws KeyResponseError unless `value` is a key response of `serverName`, self-signed by each
 * ed25519 key in its verify_keys. Keys of other algorithms cannot be checked, so they are left
 * out; malformed old_verify_keys entries are left out too (they only serve old events).
 */
export function checkKeyResponse(
  value: unknown,
  serverName: string,
  now: number,
): CheckedKeyResponse {
  if (!isJsonObject(value)) throw new KeyResponseError('not a JSON object');
  if (value.server_name !== serverName) {
    throw new KeyResponseError(`server_name is not ${JSON.stringify(serverName)}`);
  }
  const validUntilTs = value.valid_until_ts;
  if (typeof validUntilTs !== 'number' || !Number.isSafeInteger(validUntilTs)) {
    throw new KeyResponseError('valid_until_ts is not an integer');
  }
  if (!isJsonObject(value.verify_keys)) throw new KeyResponseError('verify_keys is not an object');
  const verifyKeys: { keyId: string; publicKey: string }[] = [];
  for (const [keyId, entry] of Object.entries(value.verify_keys)) {
    if (!isEd25519KeyId(keyId)) continue;
    const publicKey = isJsonObject(entry) ? entry.key : undefined;
    if (!isPublicKey(publicKey)) throw new KeyResponseError(`${keyId} has no usable key`);
    if (!signedBy(value, serverName, keyId, publicKey)) {
      throw new KeyResponseError(`the response is not signed by ${keyId}`);
    }
    verifyKeys.push({ keyId, publicKey });
  }
  if (verifyKeys.length === 0) throw new KeyResponseError('no ed25519 key in verify_keys');

  const oldVerifyKeys: { keyId: string; publicKey: string; expiredTs: number }[] = [];
  const old = isJsonObject(value.old_verify_keys) ? value.old_verify_keys : {};
  for (const [keyId, entry] of Object.entries(old)) {
    if (!isEd25519KeyId(keyId) || !isJsonObject(entry) || keyId in value.verify_keys) continue;
    const { key: publicKey, expired_ts: expiredTs } = entry;
    if (!isPublicKey(publicKey)) continue;
    if (typeof expiredTs !== 'number' || !Number.isSafeInteger(expiredTs)) continue;
    oldVerifyKeys.push({ keyId, publicKey, expiredTs });
  }

  const signatures = value.signatures as JsonObject;
  return {
    serverName,
    response: { ...value, signatures: { [serverName]: signatures[serverName] as JsonObject } },
    validUntilTs,
    usableUntilTs: Math.min(validUntilTs, now + MAX_KEY_VALIDITY_MS),
    verifyKeys,
    oldVerifyKeys,
  };
}

/** True if `entity` signed `value` with one of `keys` (key id to public key). */
export function signedByAny(
  value: JsonObject,
  entity: string,
  keys: ReadonlyMap<string, string>,
): boolean {
  for (const [keyId, publicKey] of keys) {
    if (signedBy(value, entity, keyId, publicKey)) return true;
  }
  return false;
}

function signedBy(value: JsonObject, entity: string, keyId: string, publicKey: string): boolean {
  try {
    return verifyJsonSignature(value, entity, keyId, publicKey);
  } catch (error) {
    // A response with no canonical JSON (a float, a lone surrogate) cannot have been signed.
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

// The spec limits versions to [a-zA-Z0-9_], but a server publishing another character still
// signs with its key: being lenient costs nothing, as the signature decides.
export function isEd25519KeyId(keyId: string): boolean {
  return keyId.startsWith('ed25519:') && keyId.length > 'ed25519:'.length;
}

function isPublicKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return decodeBase64(value).length === ED25519_PUBLIC_KEY_LENGTH;
  } catch {
    return false;
  }
}
