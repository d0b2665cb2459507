// Which uploaded signatures (POST /keys/signatures/upload) are accepted, one signed key at a time;
// pure: the endpoint loads the keys this needs and stores what it returns.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keyssignaturesupload
//
// The requester may sign three kinds of key, each with one kind of signing key of their own:
//   their own device keys            with their self-signing key  (`ed25519:<self-signing key>`)
//   their own master key             with one of their devices    (`ed25519:<device id>`)
//   another user's master key        with their user-signing key  (`ed25519:<user-signing key>`)
// The uploaded object must be the stored key (apart from `signatures` and `unsigned`): a signature
// over anything else would be stored beside a key it does not sign.
import { encodeCanonicalJson } from '../core/canonical-json.ts';
import { isJsonObject, type JsonObject } from '../core/pdu.ts';
import { verifyJsonSignature } from '../core/signing.ts';
import type { CrossSigningKeys, StoredSignature } from '../storage/cross-signing-keys.ts';
import { crossSigningPublicKey, hasCanonicalJson } from './cross-signing-keys.ts';

export interface SignatureFailure {
  readonly errcode: string;
  readonly error: string;
}

/** What the checks need: the requester's keys and the keys of the users whose keys were signed. */
export interface SigningKeyRing {
  readonly requesterId: string;
  readonly ownKeys: CrossSigningKeys;
  /** The requester's device keys by device id. */
  readonly ownDevices: ReadonlyMap<string, JsonObject>;
  /** Cross-signing keys of the other users named in the upload (local, or cached remote). */
  readonly otherKeys: ReadonlyMap<string, CrossSigningKeys>;
  /** Signatures uploaded before on the targets' keys: sent again, they are not checked again. */
  readonly known: readonly StoredSignature[];
}

export type SignedKeyTarget = 'own-device' | 'own-master' | 'other-master';

export type SignedKeyOutcome =
  | { readonly ok: true; readonly target: SignedKeyTarget; readonly accepted: StoredSignature[] }
  | { readonly ok: false; readonly failure: SignatureFailure };

const fail = (errcode: string, error: string): SignedKeyOutcome => ({
  ok: false,
  failure: { errcode, error },
});

interface Target {
  readonly kind: SignedKeyTarget;
  readonly stored: JsonObject;
  /** The public key of a signing key the requester may sign this target with, or undefined. */
  readonly signerKey: (signerKeyId: string) => string | undefined;
}

/** The stored key that `keyId` names and who may sign it, or why it cannot be signed. */
function findTarget(
  ring: SigningKeyRing,
  targetUserId: string,
  keyId: string,
): Target | SignedKeyOutcome {
  if (targetUserId !== ring.requesterId) {
    const master = ring.otherKeys.get(targetUserId)?.master;
    if (master === undefined || crossSigningPublicKey(master) === undefined) {
      return fail('M_NOT_FOUND', `no master key is known for ${targetUserId}`);
    }
    if (crossSigningPublicKey(master) !== keyId) {
      return fail('M_NOT_FOUND', `${keyId} is not the master key of ${targetUserId}`);
    }
    const userSigning = crossSigningPublicKey(ring.ownKeys.user_signing);
    return {
      kind: 'other-master',
      stored: master,
      signerKey: (id) =>
        userSigning !== undefined && id === `ed25519:${userSigning}` ? userSigning : undefined,
    };
  }
  const master = ring.ownKeys.master;
  if (master !== undefined && crossSigningPublicKey(master) === keyId) {
    return {
      kind: 'own-master',
      stored: master,
      signerKey: (id) => {
        const deviceId = id.startsWith('ed25519:') ? id.slice('ed25519:'.length) : undefined;
        const deviceKeys = deviceId === undefined ? undefined : ring.ownDevices.get(deviceId);
        const publicKey = isJsonObject(deviceKeys?.keys) ? deviceKeys.keys[id] : undefined;
        return typeof publicKey === 'string' ? publicKey : undefined;
      },
    };
  }
  const device = ring.ownDevices.get(keyId);
  if (device !== undefined) {
    const selfSigning = crossSigningPublicKey(ring.ownKeys.self_signing);
    return {
      kind: 'own-device',
      stored: device,
      signerKey: (id) =>
        selfSigning !== undefined && id === `ed25519:${selfSigning}` ? selfSigning : undefined,
    };
  }
  return fail('M_NOT_FOUND', `${keyId} is neither a device with keys nor the master key`);
}

function withoutSignatures(object: JsonObject): JsonObject {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return rest;
}

/**
 * Checks the requester's signatures on one uploaded key. Signatures already on the stored key, or
 * uploaded before, are passed over (a client sends back the whole signed object); every other
 * signature of the requester must come from a key allowed to sign this target and verify, else
 * the whole key fails and none of its signatures is stored. Signatures of other users are ignored:
 * a user uploads only their own.
 */
export function checkSignedKey(
  ring: SigningKeyRing,
  targetUserId: string,
  keyId: string,
  uploaded: JsonObject,
): SignedKeyOutcome {
  const target = findTarget(ring, targetUserId, keyId);
  if ('ok' in target) return target;
  if (!hasCanonicalJson(uploaded))
    return fail('M_BAD_JSON', 'the signed key has no canonical JSON');
  const signatures = isJsonObject(uploaded.signatures) ? uploaded.signatures : {};
  const mine = signatures[ring.requesterId];
  if (!isJsonObject(mine) || Object.keys(mine).length === 0) {
    return fail('M_INVALID_SIGNATURE', `no signature by ${ring.requesterId}`);
  }
  if (
    encodeCanonicalJson(withoutSignatures(uploaded)) !==
    encodeCanonicalJson(withoutSignatures(target.stored))
  ) {
    return fail('M_INVALID_SIGNATURE', 'the signed object is not the stored key');
  }
  const storedSignatures = isJsonObject(target.stored.signatures) ? target.stored.signatures : {};
  const storedMine = isJsonObject(storedSignatures[ring.requesterId])
    ? storedSignatures[ring.requesterId]
    : {};
  const accepted: StoredSignature[] = [];
  for (const [signerKeyId, signature] of Object.entries(mine)) {
    if (typeof signature !== 'string') return fail('M_BAD_JSON', 'a signature is not a string');
    if ((storedMine as JsonObject)[signerKeyId] === signature) continue;
    const seen = ring.known.some(
      (known) =>
        known.targetUserId === targetUserId &&
        known.targetKeyId === keyId &&
        known.signerUserId === ring.requesterId &&
        known.signerKeyId === signerKeyId &&
        known.signature === signature,
    );
    if (seen) continue;
    const publicKey = target.signerKey(signerKeyId);
    if (publicKey === undefined) {
      return fail('M_INVALID_SIGNATURE', `${signerKeyId} may not sign ${keyId} (${target.kind})`);
    }
    if (!verifyJsonSignature(uploaded, ring.requesterId, signerKeyId, publicKey)) {
      return fail('M_INVALID_SIGNATURE', `the signature by ${signerKeyId} does not verify`);
    }
    accepted.push({
      targetUserId,
      targetKeyId: keyId,
      signerUserId: ring.requesterId,
      signerKeyId,
      signature,
    });
  }
  return { ok: true, target: target.kind, accepted };
}
