// End-to-end encryption keys of devices: device keys, one-time keys and fallback keys
// (cross-signing keys and uploaded signatures: cross-signing-keys.ts). Keys are kept as the JSON the client uploaded (signed
// objects must come back byte-for-byte equivalent, or their signatures would not verify).
import { type Kysely, sql } from 'kysely';
import type { JsonObject, JsonValue } from '../core/pdu.ts';
import { chunksOf } from './chunks.ts';
import type { Database } from './schema.ts';

/** Rows or ids per statement. */
const BATCH = 2000;

function chunks<T>(items: readonly T[]): T[][] {
  return chunksOf(items, BATCH);
}

// --- device keys -----------------------------------------------------------------------------

/** Stores the device's keys; false when the same keys were stored already (nothing changed). */
export async function putDeviceKeys(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  keys: JsonObject,
): Promise<boolean> {
  const json = JSON.stringify(keys);
  const existing = await db
    .selectFrom('e2e_device_keys')
    .select('key_json')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (existing?.key_json === json) return false;
  await db
    .insertInto('e2e_device_keys')
    .values({ user_id: userId, device_id: deviceId, key_json: json })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'device_id']).doUpdateSet({ key_json: json }),
    )
    .execute();
  return true;
}

/** The user's device keys by device id (only the listed devices, when given). */
export async function loadDeviceKeysOf(
  db: Kysely<Database>,
  userId: string,
  deviceIds?: readonly string[],
): Promise<Map<string, JsonObject>> {
  if (deviceIds?.length === 0) return new Map();
  let query = db
    .selectFrom('e2e_device_keys')
    .select(['device_id', 'key_json'])
    .where('user_id', '=', userId);
  if (deviceIds !== undefined) query = query.where('device_id', 'in', deviceIds);
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.device_id, JSON.parse(row.key_json) as JsonObject]));
}

/** Device keys of many users: user id -> device id -> keys (users without keys left out). */
export async function loadDeviceKeysOfUsers(
  db: Kysely<Database>,
  userIds: readonly string[],
): Promise<Map<string, Map<string, JsonObject>>> {
  const byUser = new Map<string, Map<string, JsonObject>>();
  for (const batch of chunks([...new Set(userIds)])) {
    const rows = await db
      .selectFrom('e2e_device_keys')
      .selectAll()
      .where('user_id', 'in', batch)
      .execute();
    for (const row of rows) {
      const devices = byUser.get(row.user_id) ?? new Map<string, JsonObject>();
      devices.set(row.device_id, JSON.parse(row.key_json) as JsonObject);
      byUser.set(row.user_id, devices);
    }
  }
  return byUser;
}

/** Display names of the users' local devices: user id -> device id -> name (unnamed left out). */
export async function loadDeviceNamesOfUsers(
  db: Kysely<Database>,
  userIds: readonly string[],
): Promise<Map<string, Map<string, string>>> {
  const byUser = new Map<string, Map<string, string>>();
  for (const batch of chunks([...new Set(userIds)])) {
    const rows = await db
      .selectFrom('devices')
      .select(['user_id', 'device_id', 'display_name'])
      .where('user_id', 'in', batch)
      .where('display_name', 'is not', null)
      .execute();
    for (const row of rows) {
      const names = byUser.get(row.user_id) ?? new Map<string, string>();
      names.set(row.device_id, row.display_name as string);
      byUser.set(row.user_id, names);
    }
  }
  return byUser;
}

/** Replaces every cached device of a remote user with `devices` (device id -> keys). */
export async function replaceDeviceKeysOf(
  db: Kysely<Database>,
  userId: string,
  devices: ReadonlyMap<string, JsonObject>,
): Promise<void> {
  await db.deleteFrom('e2e_device_keys').where('user_id', '=', userId).execute();
  const rows = [...devices].map(([deviceId, keys]) => ({
    user_id: userId,
    device_id: deviceId,
    key_json: JSON.stringify(keys),
  }));
  for (const batch of chunks(rows)) await db.insertInto('e2e_device_keys').values(batch).execute();
}

/** Deletes every end-to-end key of the devices: device, one-time and fallback keys. */
export async function deleteDeviceKeys(
  db: Kysely<Database>,
  userId: string,
  deviceIds: readonly string[],
): Promise<void> {
  if (deviceIds.length === 0) return;
  for (const table of ['e2e_device_keys', 'e2e_one_time_keys', 'e2e_fallback_keys'] as const) {
    await db
      .deleteFrom(table)
      .where('user_id', '=', userId)
      .where('device_id', 'in', deviceIds)
      .execute();
  }
  await db
    .deleteFrom('e2e_signatures')
    .where('target_user_id', '=', userId)
    .where('target_key_id', 'in', deviceIds)
    .execute();
}

// --- one-time and fallback keys --------------------------------------------------------------

export interface UploadedKey {
  /** e.g. `signed_curve25519` */
  readonly algorithm: string;
  /** The part of the key id after `algorithm:`. */
  readonly keyId: string;
  readonly key: JsonValue;
}

/**
 * Adds one-time keys. A key id already stored with the same key is skipped (a retried upload);
 * with a different key it is a conflict: the ids of such keys are returned, nothing is written.
 */
export async function addOneTimeKeys(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  keys: readonly UploadedKey[],
): Promise<{ conflicts: string[] }> {
  if (keys.length === 0) return { conflicts: [] };
  const stored = new Map<string, string>();
  for (const batch of chunks(keys)) {
    const rows = await db
      .selectFrom('e2e_one_time_keys')
      .select(['algorithm', 'key_id', 'key_json'])
      .where('user_id', '=', userId)
      .where('device_id', '=', deviceId)
      .where('key_id', 'in', [...new Set(batch.map((key) => key.keyId))])
      .execute();
    for (const row of rows) stored.set(`${row.algorithm}:${row.key_id}`, row.key_json);
  }
  const conflicts: string[] = [];
  const fresh: UploadedKey[] = [];
  for (const key of keys) {
    const id = `${key.algorithm}:${key.keyId}`;
    const existing = stored.get(id);
    if (existing === undefined) fresh.push(key);
    else if (existing !== JSON.stringify(key.key)) conflicts.push(id);
  }
  if (conflicts.length > 0) return { conflicts };
  for (const batch of chunks(fresh)) {
    await db
      .insertInto('e2e_one_time_keys')
      .values(
        batch.map((key) => ({
          user_id: userId,
          device_id: deviceId,
          algorithm: key.algorithm,
          key_id: key.keyId,
          key_json: JSON.stringify(key.key),
        })),
      )
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  return { conflicts: [] };
}

/** Unclaimed one-time keys of the device, by algorithm. */
export async function countOneTimeKeys(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('e2e_one_time_keys')
    .select(['algorithm', (eb) => eb.fn.countAll<number>().as('count')])
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .groupBy('algorithm')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.algorithm, Number(row.count)]));
}

export interface ClaimedKey {
  /** `algorithm:key_id` */
  readonly id: string;
  readonly key: JsonValue;
}

/**
 * Takes one one-time key of the algorithm off the device, the one uploaded first (clients
 * expect that order, and Complement checks it), or else its fallback key (which stays, marked
 * used). Each one-time key goes to exactly one claimer: the row is deleted as it is read,
 * and concurrent claims skip rows another claim holds instead of waiting for them.
 */
export async function claimKey(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  algorithm: string,
): Promise<ClaimedKey | undefined> {
  const claimed = await sql<{ key_id: string; key_json: string }>`
    DELETE FROM e2e_one_time_keys
    WHERE (user_id, device_id, algorithm, key_id) IN (
      SELECT user_id, device_id, algorithm, key_id FROM e2e_one_time_keys
      WHERE user_id = ${userId} AND device_id = ${deviceId} AND algorithm = ${algorithm}
      ORDER BY seq LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING key_id, key_json`.execute(db);
  const row = claimed.rows[0];
  if (row) return { id: `${algorithm}:${row.key_id}`, key: JSON.parse(row.key_json) as JsonValue };
  const fallback = await db
    .updateTable('e2e_fallback_keys')
    .set({ used: true })
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('algorithm', '=', algorithm)
    .returning(['key_id', 'key_json'])
    .executeTakeFirst();
  if (!fallback) return undefined;
  return { id: `${algorithm}:${fallback.key_id}`, key: JSON.parse(fallback.key_json) as JsonValue };
}

/** Sets the device's fallback key for its algorithm: a new key replaces the old one, unused. */
export async function putFallbackKey(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  key: UploadedKey,
): Promise<void> {
  const json = JSON.stringify(key.key);
  const existing = await db
    .selectFrom('e2e_fallback_keys')
    .select(['key_id', 'key_json'])
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('algorithm', '=', key.algorithm)
    .executeTakeFirst();
  // Re-uploading the same key keeps it marked used: it was handed out already.
  if (existing?.key_id === key.keyId && existing.key_json === json) return;
  await db
    .insertInto('e2e_fallback_keys')
    .values({
      user_id: userId,
      device_id: deviceId,
      algorithm: key.algorithm,
      key_id: key.keyId,
      key_json: json,
      used: false,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['user_id', 'device_id', 'algorithm'])
        .doUpdateSet({ key_id: key.keyId, key_json: json, used: false }),
    )
    .execute();
}

/** Algorithms of the device's fallback keys not handed out yet. */
export async function unusedFallbackKeyTypes(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('e2e_fallback_keys')
    .select('algorithm')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .where('used', '=', false)
    .orderBy('algorithm')
    .execute();
  return rows.map((row) => row.algorithm);
}
