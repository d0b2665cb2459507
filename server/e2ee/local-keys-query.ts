// The keys of local users (and of remote users cached here) as keys/query returns them: device
// keys with the signatures uploaded for them merged in, and cross-signing keys.
//
// Who sees which signature: a device's keys carry the signatures of its own user (their
// self-signing key); a master key carries the signatures of its own user's devices, plus those of
// the asking user's user-signing key, which only that user may see (a user's verifications of
// others are their own business). The user-signing key goes only to its owner; other servers
// never get one.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysquery
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import {
  loadCrossSigningKeys,
  loadSignaturesOn,
  type StoredSignature,
} from '../storage/cross-signing-keys.ts';
import { loadDeviceKeysOfUsers, loadDeviceNamesOfUsers } from '../storage/e2e-keys.ts';
import type { Database } from '../storage/schema.ts';

export interface KeysQueryResult {
  device_keys: Record<string, Record<string, JsonObject>>;
  master_keys: Record<string, JsonObject>;
  self_signing_keys: Record<string, JsonObject>;
  user_signing_keys: Record<string, JsonObject>;
}

export function emptyKeysResult(): KeysQueryResult {
  return { device_keys: {}, master_keys: {}, self_signing_keys: {}, user_signing_keys: {} };
}

export interface StoredKeysQuery {
  /** User id -> device ids; an empty list asks for every device. */
  readonly users: Readonly<Record<string, readonly string[]>>;
  /** The local user asking; undefined when another server asks. */
  readonly requesterId: string | undefined;
  /** Local devices' display names go in `unsigned` (never to other servers). */
  readonly withDisplayNames: boolean;
}

/** The stored keys of the users into `into` (users without keys get an empty device map). */
export async function readStoredKeys(
  db: Kysely<Database>,
  query: StoredKeysQuery,
  into: KeysQueryResult,
): Promise<void> {
  const userIds = Object.keys(query.users);
  if (userIds.length === 0) return;
  const signatures = groupSignatures(await loadSignaturesOn(db, userIds));
  const allKeys = await loadDeviceKeysOfUsers(db, userIds);
  const allNames = query.withDisplayNames
    ? await loadDeviceNamesOfUsers(db, userIds)
    : new Map<string, Map<string, string>>();
  for (const userId of userIds) {
    const wanted = new Set(query.users[userId] ?? []);
    const names = allNames.get(userId);
    const devices: Record<string, JsonObject> = {};
    for (const [deviceId, deviceKeys] of allKeys.get(userId) ?? []) {
      if (wanted.size > 0 && !wanted.has(deviceId)) continue;
      const merged = withSignatures(deviceKeys, signatures.get(`${userId}|${deviceId}`), userId);
      const displayName = names?.get(deviceId);
      if (displayName) {
        merged.unsigned = { ...asObject(merged.unsigned), device_display_name: displayName };
      }
      devices[deviceId] = merged;
    }
    into.device_keys[userId] = devices;
  }
  const crossSigning = await loadCrossSigningKeys(db, userIds);
  for (const [userId, keys] of crossSigning) {
    if (keys.master) {
      const publicKey = publicKeyOf(keys.master);
      const visible = (signerUserId: string) =>
        signerUserId === userId || signerUserId === query.requesterId;
      into.master_keys[userId] = withSignatures(
        keys.master,
        signatures.get(`${userId}|${publicKey}`)?.filter((s) => visible(s.signerUserId)),
        undefined,
      );
    }
    if (keys.self_signing) into.self_signing_keys[userId] = keys.self_signing;
    if (keys.user_signing && userId === query.requesterId) {
      into.user_signing_keys[userId] = keys.user_signing;
    }
  }
}

/** The single public key of a cross-signing key object (its `keys` has one entry). */
export function publicKeyOf(key: JsonObject): string | undefined {
  const keys = asObject(key.keys);
  const first = Object.values(keys)[0];
  return typeof first === 'string' ? first : undefined;
}

function groupSignatures(signatures: readonly StoredSignature[]): Map<string, StoredSignature[]> {
  const byTarget = new Map<string, StoredSignature[]>();
  for (const signature of signatures) {
    const target = `${signature.targetUserId}|${signature.targetKeyId}`;
    const list = byTarget.get(target) ?? [];
    list.push(signature);
    byTarget.set(target, list);
  }
  return byTarget;
}

/** A copy of the key with the signatures added (only the signer's own, when `onlySigner`). */
function withSignatures(
  key: JsonObject,
  extra: readonly StoredSignature[] | undefined,
  onlySigner: string | undefined,
): JsonObject {
  const copy: JsonObject = { ...key };
  if (!extra || extra.length === 0) return copy;
  const all: Record<string, Record<string, string>> = {};
  for (const [signer, byKey] of Object.entries(asObject(key.signatures))) {
    all[signer] = { ...(asObject(byKey) as Record<string, string>) };
  }
  for (const signature of extra) {
    if (onlySigner !== undefined && signature.signerUserId !== onlySigner) continue;
    all[signature.signerUserId] ??= {};
    all[signature.signerUserId]![signature.signerKeyId] = signature.signature;
  }
  copy.signatures = all;
  return copy;
}

function asObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}
