// Cross-signing keys (master, self-signing, user-signing) and the signatures uploaded with
// keys/signatures/upload, for local users and, cached, for remote ones. Keys are kept as the JSON
// the client uploaded.
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import { chunksOf } from './chunks.ts';
import type { Database } from './schema.ts';

export type CrossSigningKeyType = 'master' | 'self_signing' | 'user_signing';
export type CrossSigningKeys = Partial<Record<CrossSigningKeyType, JsonObject>>;

/** Rows or ids per statement. */
const BATCH = 2000;

function chunks<T>(items: readonly T[]): T[][] {
  return chunksOf(items, BATCH);
}

export async function putCrossSigningKey(
  db: Kysely<Database>,
  userId: string,
  type: CrossSigningKeyType,
  key: JsonObject,
): Promise<void> {
  const json = JSON.stringify(key);
  await db
    .insertInto('e2e_cross_signing_keys')
    .values({ user_id: userId, key_type: type, key_json: json })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'key_type']).doUpdateSet({ key_json: json }),
    )
    .execute();
}

export async function loadCrossSigningKeysOf(
  db: Kysely<Database>,
  userId: string,
): Promise<CrossSigningKeys> {
  return (await loadCrossSigningKeys(db, [userId])).get(userId) ?? {};
}

/** Cross-signing keys of the users, by user id (users without any are left out). */
export async function loadCrossSigningKeys(
  db: Kysely<Database>,
  userIds: readonly string[],
): Promise<Map<string, CrossSigningKeys>> {
  const byUser = new Map<string, CrossSigningKeys>();
  for (const batch of chunks([...new Set(userIds)])) {
    const rows = await db
      .selectFrom('e2e_cross_signing_keys')
      .selectAll()
      .where('user_id', 'in', batch)
      .execute();
    for (const row of rows) {
      const keys = byUser.get(row.user_id) ?? {};
      keys[row.key_type as CrossSigningKeyType] = JSON.parse(row.key_json) as JsonObject;
      byUser.set(row.user_id, keys);
    }
  }
  return byUser;
}

export interface StoredSignature {
  readonly targetUserId: string;
  /** A device id, or a cross-signing key's public key. */
  readonly targetKeyId: string;
  readonly signerUserId: string;
  /** `ed25519:<device id or public key>` */
  readonly signerKeyId: string;
  readonly signature: string;
}

export async function putSignatures(
  db: Kysely<Database>,
  signatures: readonly StoredSignature[],
): Promise<void> {
  for (const batch of chunks(signatures)) {
    await db
      .insertInto('e2e_signatures')
      .values(
        batch.map((signature) => ({
          target_user_id: signature.targetUserId,
          target_key_id: signature.targetKeyId,
          signer_user_id: signature.signerUserId,
          signer_key_id: signature.signerKeyId,
          signature: signature.signature,
        })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['target_user_id', 'target_key_id', 'signer_user_id', 'signer_key_id'])
          .doUpdateSet((eb) => ({ signature: eb.ref('excluded.signature') })),
      )
      .execute();
  }
}

/** Uploaded signatures on any key of the users. */
export async function loadSignaturesOn(
  db: Kysely<Database>,
  targetUserIds: readonly string[],
): Promise<StoredSignature[]> {
  const found: StoredSignature[] = [];
  for (const batch of chunks([...new Set(targetUserIds)])) {
    const rows = await db
      .selectFrom('e2e_signatures')
      .selectAll()
      .where('target_user_id', 'in', batch)
      .execute();
    for (const row of rows) {
      found.push({
        targetUserId: row.target_user_id,
        targetKeyId: row.target_key_id,
        signerUserId: row.signer_user_id,
        signerKeyId: row.signer_key_id,
        signature: row.signature,
      });
    }
  }
  return found;
}
