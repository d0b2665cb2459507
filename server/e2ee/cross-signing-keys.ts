// The rules a cross-signing key upload must satisfy, and which of its keys are new; pure, so the
// endpoint (server/client-api/keys/upload-cross-signing-keys.ts) only loads and stores.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysdevice_signingupload
import { CanonicalJsonError, encodeCanonicalJson } from '../core/canonical-json.ts';
import { isJsonObject, type JsonObject } from '../core/pdu.ts';
import { publicKeyObject, verifyJsonSignature } from '../core/signing.ts';
import type { CrossSigningKeys, CrossSigningKeyType } from '../storage/cross-signing-keys.ts';

export const CROSS_SIGNING_KEY_TYPES: readonly CrossSigningKeyType[] = [
  'master',
  'self_signing',
  'user_signing',
];

/** A refusal, with the status and errcode the spec gives it. */
export interface CrossSigningProblem {
  readonly status: number;
  readonly errcode: string;
  readonly error: string;
}

/**
 * The unpadded base64 public key of a cross-signing key: its one `keys` entry, which must be
 * `ed25519:<public key>` with the same public key as value. Undefined for anything else, which no
 * signature could be checked against.
 */
export function crossSigningPublicKey(key: JsonObject | undefined): string | undefined {
  if (!key || !isJsonObject(key.keys)) return undefined;
  const entries = Object.entries(key.keys);
  if (entries.length !== 1) return undefined;
  const [keyId, value] = entries[0] as [string, unknown];
  if (typeof value !== 'string' || keyId !== `ed25519:${value}`) return undefined;
  return publicKeyObject(value) === undefined ? undefined : value;
}

export function hasCanonicalJson(value: JsonObject): boolean {
  try {
    encodeCanonicalJson(value);
    return true;
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

/** Two keys are the same when their canonical JSON is (key order in the upload may differ). */
export function sameKey(a: JsonObject | undefined, b: JsonObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return encodeCanonicalJson(a) === encodeCanonicalJson(b);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

/** The uploaded keys that differ from the stored ones (or have none stored): what would change. */
export function changedKeyTypes(
  upload: CrossSigningKeys,
  stored: CrossSigningKeys,
): CrossSigningKeyType[] {
  return CROSS_SIGNING_KEY_TYPES.filter(
    (type) => upload[type] !== undefined && !sameKey(upload[type], stored[type]),
  );
}

/**
 * MSC3967 (spec v1.11): replacing keys needs user-interactive auth, setting them up the first time
 * (no master key yet) does not; neither does an upload of keys identical to the stored ones.
 */
export function uploadNeedsAuth(upload: CrossSigningKeys, stored: CrossSigningKeys): boolean {
  return stored.master !== undefined && changedKeyTypes(upload, stored).length > 0;
}

const invalidParam = (error: string): CrossSigningProblem => ({
  status: 400,
  errcode: 'M_INVALID_PARAM',
  error,
});

/**
 * Checks each uploaded key: owned by the requester, with its usage, one valid ed25519 key whose
 * public key is not one of the user's device ids (their `ed25519:<id>` key ids would clash), and,
 * for the self-signing and user-signing keys, a valid signature by the master key: the one in the
 * upload, else the stored one.
 */
export function checkCrossSigningUpload(
  requesterId: string,
  upload: CrossSigningKeys,
  stored: CrossSigningKeys,
  deviceIds: ReadonlySet<string>,
): CrossSigningProblem | undefined {
  for (const type of CROSS_SIGNING_KEY_TYPES) {
    const key = upload[type];
    if (key === undefined) continue;
    if (key.user_id !== requesterId) {
      return invalidParam(`the ${type} key's user_id is not ${requesterId}`);
    }
    if (!Array.isArray(key.usage) || !key.usage.includes(type)) {
      return invalidParam(`the ${type} key's usage does not include "${type}"`);
    }
    const publicKey = crossSigningPublicKey(key);
    if (publicKey === undefined) {
      return invalidParam(
        `the ${type} key's keys must hold exactly one entry, "ed25519:<public key>": <public key>`,
      );
    }
    if (!hasCanonicalJson(key)) {
      return { status: 400, errcode: 'M_BAD_JSON', error: `the ${type} key has no canonical JSON` };
    }
    if (deviceIds.has(publicKey)) {
      return { status: 403, errcode: 'M_FORBIDDEN', error: `the ${type} key's id is a device id` };
    }
  }
  const master = upload.master ?? stored.master;
  const masterPublicKey = crossSigningPublicKey(master);
  for (const type of ['self_signing', 'user_signing'] as const) {
    const key = upload[type];
    if (key === undefined) continue;
    if (masterPublicKey === undefined) {
      return {
        status: 400,
        errcode: 'M_MISSING_PARAM',
        error: `no master key to check the ${type} key's signature with`,
      };
    }
    if (!verifyJsonSignature(key, requesterId, `ed25519:${masterPublicKey}`, masterPublicKey)) {
      return {
        status: 400,
        errcode: 'M_INVALID_SIGNATURE',
        error: `the ${type} key is not signed by the master key`,
      };
    }
  }
  return undefined;
}
