// Devices: one per login session. Deleting a device revokes its access tokens through the
// cascading foreign key on access_tokens.

import type { Kysely, Selectable } from 'kysely';
import { deleteDeviceKeys } from './e2e-keys.ts';
import type { Database } from './schema.ts';
import type { DevicesTable } from './tables/devices.ts';

const LOCAL_NOTIFICATION_SETTINGS = 'org.matrix.msc3890.local_notification_settings.';

export interface Device {
  userId: string;
  deviceId: string;
  displayName: string | null;
  createdTs: number;
  lastSeenTs: number | null;
  lastSeenIp: string | null;
}

export interface NewDevice {
  userId: string;
  deviceId: string;
  displayName?: string | null;
  ip?: string | null;
  now: number;
}

/**
 * Creates the device unless the user already has one with this id, which is then left as it is
 * (the spec ignores `initial_device_display_name` when a login names a known device). Returns
 * whether a device was created.
 */
export async function createDevice(db: Kysely<Database>, device: NewDevice): Promise<boolean> {
  const row = await db
    .insertInto('devices')
    .values({
      user_id: device.userId,
      device_id: device.deviceId,
      display_name: device.displayName ?? null,
      created_ts: device.now,
      last_seen_ts: device.now,
      last_seen_ip: device.ip ?? null,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returning('device_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function getDevice(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<Device | undefined> {
  const row = await db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return row && toDevice(row);
}

/** The user's devices in device id order. */
export async function listDevices(db: Kysely<Database>, userId: string): Promise<Device[]> {
  const rows = await db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('device_id')
    .execute();
  return rows.map(toDevice);
}

/** Returns false if there is no such device. */
export async function setDeviceDisplayName(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
  displayName: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ display_name: displayName })
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Deletes the device with its access tokens, end-to-end keys and waiting to-device messages.
 * Returns false if there was no such device.
 */
export async function deleteDevice(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<boolean> {
  return (await deleteDevicesOfUser(db, userId, { only: [deviceId] })).length > 0;
}

function toDevice(row: Selectable<DevicesTable>): Device {
  return {
    userId: row.user_id,
    deviceId: row.device_id,
    displayName: row.display_name,
    createdTs: row.created_ts,
    lastSeenTs: row.last_seen_ts,
    lastSeenIp: row.last_seen_ip,
  };
}

/**
 * Deletes the listed devices of the user, or all of them, or all but one, with their tokens (by
 * foreign key), end-to-end keys, waiting to-device messages and local notification settings. Returns the ids deleted: the
 * caller announces them (e2ee/announce-device-changes.ts) once its transaction is committed.
 */
export async function deleteDevicesOfUser(
  db: Kysely<Database>,
  userId: string,
  options: { only?: readonly string[]; exceptDeviceId?: string } = {},
): Promise<string[]> {
  if (options.only?.length === 0) return [];
  if (!db.isTransaction) {
    return db.transaction().execute((trx) => deleteDevicesOfUser(trx, userId, options));
  }
  let query = db.deleteFrom('devices').where('user_id', '=', userId);
  if (options.only !== undefined) query = query.where('device_id', 'in', options.only);
  if (options.exceptDeviceId !== undefined) {
    query = query.where('device_id', '!=', options.exceptDeviceId);
  }
  const deleted = (await query.returning('device_id').execute()).map((row) => row.device_id);
  if (deleted.length > 0) {
    await deleteDeviceKeys(db, userId, deleted);
    await db
      .deleteFrom('device_inbox')
      .where('user_id', '=', userId)
      .where('device_id', 'in', deleted)
      .execute();
    // A device's local notification settings are global account data named after it (MSC3890,
    // which Element writes): they go with the device.
    await db
      .deleteFrom('account_data')
      .where('user_id', '=', userId)
      .where('room_id', '=', '')
      .where(
        'type',
        'in',
        deleted.map((id) => `${LOCAL_NOTIFICATION_SETTINGS}${id}`),
      )
      .execute();
  }
  return deleted;
}
