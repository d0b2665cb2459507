// Server-side key backups: each user's backup versions and the session keys stored in them.
// https://spec.matrix.org/latest/client-server-api/#server-side-key-backups
//
// Every change to a version's keys runs in one transaction that first locks the version's row
// (SELECT ... FOR UPDATE). Uploads to one version therefore run one after another: each compares
// against the keys the previous one committed, and the etag and key_count written on that row
// count every change exactly once. A version deleted meanwhile is seen as deleted once the lock
// is granted, so no key lands in a deleted version.

import type { Kysely, Transaction } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import { chunksOf } from './chunks.ts';
import type { Database } from './schema.ts';

/** A session key as the API carries it. */
export interface BackupKey {
  readonly first_message_index: number;
  readonly forwarded_count: number;
  readonly is_verified: boolean;
  readonly session_data: JsonObject;
}

/** What decides whether an upload replaces a stored key. */
export type BackupKeyRank = Pick<
  BackupKey,
  'first_message_index' | 'forwarded_count' | 'is_verified'
>;

export interface SessionBackupKey {
  readonly roomId: string;
  readonly sessionId: string;
  readonly key: BackupKey;
}

export interface BackupVersionInfo {
  readonly version: number;
  readonly algorithm: string;
  readonly authData: JsonObject;
  readonly etag: string;
  readonly count: number;
}

/** The etag and count after a change to a version's keys (or after none). */
export interface BackupKeysState {
  readonly etag: string;
  readonly count: number;
}

export type StoreBackupKeysOutcome =
  | ({ readonly kind: 'stored' } & BackupKeysState)
  | { readonly kind: 'unknown-version' }
  | { readonly kind: 'wrong-version'; readonly currentVersion: number };

/** Which keys a read or delete covers: the whole version, one room, or one session. */
export interface BackupKeysScope {
  readonly roomId?: string;
  readonly sessionId?: string;
}

// Bind parameters per statement stay far below PGlite's 32,767: 2 per pair, 8 per row.
const LOOKUP_CHUNK = 2000;
const UPSERT_CHUNK = 1000;

/**
 * The spec's order ("Storing keys"): a verified key beats an unverified one, then a lower
 * first_message_index wins, then a lower forwarded_count. A tie keeps the stored key.
 */
export function isBetterBackupKey(candidate: BackupKeyRank, stored: BackupKeyRank): boolean {
  if (candidate.is_verified !== stored.is_verified) return candidate.is_verified;
  if (candidate.first_message_index !== stored.first_message_index) {
    return candidate.first_message_index < stored.first_message_index;
  }
  return candidate.forwarded_count < stored.forwarded_count;
}

/** Creates the user's next version (one above any they ever had) and returns its number. */
export async function createBackupVersion(
  db: Kysely<Database>,
  userId: string,
  algorithm: string,
  authData: JsonObject,
  now: number,
): Promise<number> {
  // Two concurrent creates may pick the same number; the loser's insert does nothing and it
  // tries again with the number after the winner's.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { highest } = await db
      .selectFrom('key_backup_versions')
      .select((eb) => eb.fn.max('version').as('highest'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    const inserted = await db
      .insertInto('key_backup_versions')
      .values({
        user_id: userId,
        version: (highest ?? 0) + 1,
        algorithm,
        auth_data: JSON.stringify(authData),
        created_ts: now,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('version')
      .executeTakeFirst();
    if (inserted) return inserted.version;
  }
  throw new Error(`could not number a new key backup version for ${userId}`);
}

/** The highest version not deleted: the one uploads must go to. */
export async function currentBackupVersion(
  db: Kysely<Database>,
  userId: string,
): Promise<number | undefined> {
  const { current } = await db
    .selectFrom('key_backup_versions')
    .select((eb) => eb.fn.max('version').as('current'))
    .where('user_id', '=', userId)
    .where('deleted', '=', false)
    .executeTakeFirstOrThrow();
  return current ?? undefined;
}

/** A version not deleted, or the current one when `version` is undefined. */
export async function getBackupVersion(
  db: Kysely<Database>,
  userId: string,
  version: number | undefined,
): Promise<BackupVersionInfo | undefined> {
  let query = db
    .selectFrom('key_backup_versions')
    .select(['version', 'algorithm', 'auth_data', 'etag', 'key_count'])
    .where('user_id', '=', userId)
    .where('deleted', '=', false);
  query =
    version === undefined
      ? query.orderBy('version', 'desc').limit(1)
      : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    version: row.version,
    algorithm: row.algorithm,
    authData: JSON.parse(row.auth_data) as JsonObject,
    etag: String(row.etag),
    count: row.key_count,
  };
}

/** Replaces a version's auth_data; its algorithm cannot change. */
export async function updateBackupVersion(
  db: Kysely<Database>,
  userId: string,
  version: number,
  algorithm: string,
  authData: JsonObject,
): Promise<'updated' | 'unknown-version' | 'algorithm-mismatch'> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('key_backup_versions')
      .select('algorithm')
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .where('deleted', '=', false)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return 'unknown-version';
    if (row.algorithm !== algorithm) return 'algorithm-mismatch';
    await trx
      .updateTable('key_backup_versions')
      .set({ auth_data: JSON.stringify(authData) })
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .execute();
    return 'updated';
  });
}

/**
 * Deletes a version and its keys. True when done now or before; false when the user never had
 * that version. The row stays (marked deleted) so the number is not handed out again.
 */
export async function deleteBackupVersion(
  db: Kysely<Database>,
  userId: string,
  version: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('key_backup_versions')
      .select('deleted')
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return false;
    if (row.deleted) return true;
    await trx
      .deleteFrom('key_backup_sessions')
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .execute();
    await trx
      .updateTable('key_backup_versions')
      .set((eb) => ({ deleted: true, key_count: 0, etag: eb('etag', '+', 1) }))
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .execute();
    return true;
  });
}

/**
 * Stores each key unless the version already holds a key for its session that is as good or
 * better. The version must be the current one. One transaction for the whole upload.
 */
export async function storeBackupKeys(
  db: Kysely<Database>,
  userId: string,
  version: number,
  keys: readonly SessionBackupKey[],
): Promise<StoreBackupKeysOutcome> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockLiveVersion(trx, userId, version);
    if (!locked) return { kind: 'unknown-version' } as const;
    const current = await currentBackupVersion(trx, userId);
    if (current !== version) return { kind: 'wrong-version', currentVersion: current! } as const;

    const stored = await storedRanks(trx, userId, version, keys);
    const changed = keys.filter((entry) => {
      const rank = stored.get(sessionKey(entry.roomId, entry.sessionId));
      return rank === undefined || isBetterBackupKey(entry.key, rank);
    });
    if (changed.length === 0) return { kind: 'stored', ...stateOf(locked) } as const;
    const added = changed.filter(
      (entry) => !stored.has(sessionKey(entry.roomId, entry.sessionId)),
    ).length;
    for (const chunk of chunksOf(changed, UPSERT_CHUNK)) {
      await trx
        .insertInto('key_backup_sessions')
        .values(
          chunk.map((entry) => ({
            user_id: userId,
            version,
            room_id: entry.roomId,
            session_id: entry.sessionId,
            first_message_index: entry.key.first_message_index,
            forwarded_count: entry.key.forwarded_count,
            is_verified: entry.key.is_verified,
            session_data: JSON.stringify(entry.key.session_data),
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['user_id', 'version', 'room_id', 'session_id']).doUpdateSet((eb) => ({
            first_message_index: eb.ref('excluded.first_message_index'),
            forwarded_count: eb.ref('excluded.forwarded_count'),
            is_verified: eb.ref('excluded.is_verified'),
            session_data: eb.ref('excluded.session_data'),
          })),
        )
        .execute();
    }
    return { kind: 'stored', ...(await bumpVersion(trx, userId, version, added)) } as const;
  });
}

/** The keys of a version not deleted within the scope; undefined for an unknown version. */
export async function getBackupKeys(
  db: Kysely<Database>,
  userId: string,
  version: number,
  scope: BackupKeysScope = {},
): Promise<SessionBackupKey[] | undefined> {
  if ((await getBackupVersion(db, userId, version)) === undefined) return undefined;
  let query = db
    .selectFrom('key_backup_sessions')
    .select([
      'room_id',
      'session_id',
      'first_message_index',
      'forwarded_count',
      'is_verified',
      'session_data',
    ])
    .where('user_id', '=', userId)
    .where('version', '=', version);
  if (scope.roomId !== undefined) query = query.where('room_id', '=', scope.roomId);
  if (scope.sessionId !== undefined) query = query.where('session_id', '=', scope.sessionId);
  const rows = await query.orderBy('room_id').orderBy('session_id').execute();
  return rows.map((row) => ({
    roomId: row.room_id,
    sessionId: row.session_id,
    key: {
      first_message_index: row.first_message_index,
      forwarded_count: row.forwarded_count,
      is_verified: row.is_verified,
      session_data: JSON.parse(row.session_data) as JsonObject,
    },
  }));
}

/** Deletes the keys within the scope (any version not deleted, current or not). */
export async function deleteBackupKeys(
  db: Kysely<Database>,
  userId: string,
  version: number,
  scope: BackupKeysScope = {},
): Promise<BackupKeysState | undefined> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockLiveVersion(trx, userId, version);
    if (!locked) return undefined;
    let query = trx
      .deleteFrom('key_backup_sessions')
      .where('user_id', '=', userId)
      .where('version', '=', version);
    if (scope.roomId !== undefined) query = query.where('room_id', '=', scope.roomId);
    if (scope.sessionId !== undefined) query = query.where('session_id', '=', scope.sessionId);
    const deleted = Number((await query.executeTakeFirst()).numDeletedRows);
    if (deleted === 0) return stateOf(locked);
    return bumpVersion(trx, userId, version, -deleted);
  });
}

function lockLiveVersion(trx: Transaction<Database>, userId: string, version: number) {
  return trx
    .selectFrom('key_backup_versions')
    .select(['etag', 'key_count'])
    .where('user_id', '=', userId)
    .where('version', '=', version)
    .where('deleted', '=', false)
    .forUpdate()
    .executeTakeFirst();
}

/** One more change to the version's keys, and `delta` sessions more (or fewer). */
async function bumpVersion(
  trx: Transaction<Database>,
  userId: string,
  version: number,
  delta: number,
): Promise<BackupKeysState> {
  const row = await trx
    .updateTable('key_backup_versions')
    .set((eb) => ({ etag: eb('etag', '+', 1), key_count: eb('key_count', '+', delta) }))
    .where('user_id', '=', userId)
    .where('version', '=', version)
    .returning(['etag', 'key_count'])
    .executeTakeFirstOrThrow();
  return stateOf(row);
}

function stateOf(row: { etag: number; key_count: number }): BackupKeysState {
  return { etag: String(row.etag), count: row.key_count };
}

function sessionKey(roomId: string, sessionId: string): string {
  return JSON.stringify([roomId, sessionId]);
}

/** The ranks of the keys already stored for the uploaded sessions. */
async function storedRanks(
  trx: Transaction<Database>,
  userId: string,
  version: number,
  keys: readonly SessionBackupKey[],
): Promise<Map<string, BackupKeyRank>> {
  const ranks = new Map<string, BackupKeyRank>();
  for (const chunk of chunksOf(keys, LOOKUP_CHUNK)) {
    const rows = await trx
      .selectFrom('key_backup_sessions')
      .select(['room_id', 'session_id', 'first_message_index', 'forwarded_count', 'is_verified'])
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .where((eb) =>
        eb(
          eb.refTuple('room_id', 'session_id'),
          'in',
          chunk.map((entry) => eb.tuple(entry.roomId, entry.sessionId)),
        ),
      )
      .execute();
    for (const row of rows) ranks.set(sessionKey(row.room_id, row.session_id), row);
  }
  return ranks;
}
