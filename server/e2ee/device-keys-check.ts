// Checks on uploaded keys that the schema cannot express (pure): device keys belong to the
// uploading device, and a signature by the device's own ed25519 key, when one is given, verifies;
// likewise for the signature on a signed one-time or fallback key. A signature that does not
// verify means the keys are not the device's: other devices would encrypt for keys nobody holds,
// or for an attacker's. Keys without the signature are taken, as Synapse takes them (Complement
// uploads such keys): clients check the signatures themselves before trusting a device.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysupload
import { CanonicalJsonError } from '../core/canonical-json.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/pdu.ts';
import { verifyJsonSignature } from '../core/signing.ts';

/** Why the device keys cannot be stored for this device, or undefined when they can. */
export function deviceKeysProblem(
  keys: JsonObject,
  userId: string,
  deviceId: string,
): string | undefined {
  if (keys.user_id !== userId) return `device_keys.user_id must be ${userId}`;
  if (keys.device_id !== deviceId) return `device_keys.device_id must be ${deviceId}`;
  const signingKey = deviceSigningKeyOf(keys);
  if (signingKey === undefined) return `device_keys.keys has no ed25519:${deviceId} key`;
  if (!signatureHoldsIfGiven(keys, userId, `ed25519:${deviceId}`, signingKey)) {
    return 'device_keys has a signature by its own ed25519 key that does not verify';
  }
  return undefined;
}

/** The device's ed25519 public key (unpadded base64) from its device keys. */
export function deviceSigningKeyOf(keys: JsonObject): string | undefined {
  const deviceId = keys.device_id;
  if (typeof deviceId !== 'string' || !isJsonObject(keys.keys)) return undefined;
  const key = keys.keys[`ed25519:${deviceId}`];
  return typeof key === 'string' ? key : undefined;
}

/**
 * Whether a one-time or fallback key uploaded by the device is acceptable: keys of a `signed_`
 * algorithm must be objects, and a signature by the device's key on them must verify. Unsigned
 * algorithms carry a bare key.
 */
export function oneTimeKeyVerifies(
  algorithm: string,
  key: JsonValue,
  userId: string,
  deviceId: string,
  devicePublicKey: string | undefined,
): boolean {
  if (!algorithm.startsWith('signed_')) return true;
  if (!isJsonObject(key) || typeof key.key !== 'string') return false;
  // Without the device's keys there is nothing to check against (they may come later).
  if (devicePublicKey === undefined) return true;
  return signatureHoldsIfGiven(key, userId, `ed25519:${deviceId}`, devicePublicKey);
}

/** `algorithm:key_id` split at its first colon. */
export function splitKeyName(name: string): { algorithm: string; keyId: string } {
  const colon = name.indexOf(':');
  return { algorithm: name.slice(0, colon), keyId: name.slice(colon + 1) };
}

function signatureHoldsIfGiven(
  object: JsonObject,
  entity: string,
  keyId: string,
  publicKey: string,
): boolean {
  const signatures = object.signatures;
  const byEntity = isJsonObject(signatures) ? signatures[entity] : undefined;
  if (!isJsonObject(byEntity) || byEntity[keyId] === undefined) return true;
  try {
    return verifyJsonSignature(object, entity, keyId, publicKey);
  } catch (error) {
    // Floats or out-of-range numbers have no canonical JSON: no valid signature either.
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}
