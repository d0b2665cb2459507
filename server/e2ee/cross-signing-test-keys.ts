// Test fixtures: real ed25519 keys and signed cross-signing and device key objects, for the
// cross-signing tests (unit and endpoint). Not used by the server.
import { randomBytes } from 'node:crypto';
import { encodeBase64 } from '../core/base64.ts';
import type { JsonObject } from '../core/pdu.ts';
import { generateSeed, privateKeyFromSeed, publicKeyOf, signJson } from '../core/signing.ts';

export interface TestKey {
  readonly publicKey: string;
  /** `ed25519:<public key>`, as a cross-signing key is named. */
  readonly keyId: string;
  sign<T extends JsonObject>(object: T, userId: string, keyId?: string): T;
}

export function newTestKey(): TestKey {
  const key = privateKeyFromSeed(generateSeed(randomBytes));
  const publicKey = encodeBase64(publicKeyOf(key));
  const keyId = `ed25519:${publicKey}`;
  return {
    publicKey,
    keyId,
    sign: (object, userId, asKeyId = keyId) => signJson(object, userId, asKeyId, key),
  };
}

/** A cross-signing key object for `key`, signed by `signer` (the master key) when given. */
export function crossSigningKey(
  userId: string,
  usage: string,
  key: TestKey,
  signer?: TestKey,
): JsonObject {
  const object: JsonObject = {
    user_id: userId,
    usage: [usage],
    keys: { [key.keyId]: key.publicKey },
  };
  return signer ? signer.sign(object, userId) : object;
}

export interface TestCrossSigning {
  readonly master: TestKey;
  readonly selfSigning: TestKey;
  readonly userSigning: TestKey;
  /** The three keys as a device_signing/upload body. */
  readonly body: {
    master_key: JsonObject;
    self_signing_key: JsonObject;
    user_signing_key: JsonObject;
  };
}

export function newCrossSigning(userId: string): TestCrossSigning {
  const master = newTestKey();
  const selfSigning = newTestKey();
  const userSigning = newTestKey();
  return {
    master,
    selfSigning,
    userSigning,
    body: {
      master_key: crossSigningKey(userId, 'master', master),
      self_signing_key: crossSigningKey(userId, 'self_signing', selfSigning, master),
      user_signing_key: crossSigningKey(userId, 'user_signing', userSigning, master),
    },
  };
}

export interface TestDevice {
  readonly key: TestKey;
  /** The device keys as keys/upload takes them, signed by the device itself. */
  readonly keys: JsonObject;
}

export function newTestDevice(userId: string, deviceId: string): TestDevice {
  const key = newTestKey();
  const keys: JsonObject = {
    user_id: userId,
    device_id: deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: {
      [`curve25519:${deviceId}`]: newTestKey().publicKey,
      [`ed25519:${deviceId}`]: key.publicKey,
    },
  };
  return { key, keys: key.sign(keys, userId, `ed25519:${deviceId}`) };
}
