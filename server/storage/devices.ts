// Devices: one per login session. Deleting a device revokes its access tokens through the
// cascading foreign key on access_tokens.

import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';
import type { DevicesTable } from './tables/devices.ts';

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

/** Deletes the device and its access tokens. Returns false if there was no such device. */
export async function deleteDevice(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('devices')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
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
 * Deletes the listed devices of the user (with their tokens), or all of them, or all but one.
 * Returns how many were deleted.
 */
export async function deleteDevicesOfUser(
  db: Kysely<Database>,
  userId: string,
  options: { only?: readonly string[]; exceptDeviceId?: string } = {},
): Promise<number> {
  if (options.only?.length === 0) return 0;
  let query = db.deleteFrom('devices').where('user_id', '=', userId);
  if (options.only !== undefined) query = query.where('device_id', 'in', options.only);
  if (options.exceptDeviceId !== undefined) {
    query = query.where('device_id', '!=', options.exceptDeviceId);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
