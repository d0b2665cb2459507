// POST /account/password after its user-interactive auth: the new hash, and by default the
// user's other devices logged out (spec: `logout_devices` defaults to true).
import type { Kysely } from 'kysely';
import { deleteDevicesOfUser } from '../storage/devices.ts';
import type { Database } from '../storage/schema.ts';
import { setPasswordHash } from '../storage/users.ts';
import { hashPassword } from './password-hash.ts';

export async function changePassword(
  db: Kysely<Database>,
  userId: string,
  newPassword: string,
  options: { logoutDevices: boolean; keepDeviceId?: string | undefined },
): Promise<void> {
  // Hashed before the transaction: tens of milliseconds of scrypt need not hold a connection.
  const hash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, userId, hash);
    if (!options.logoutDevices) return;
    // Deleting the devices deletes their access and refresh tokens (foreign keys).
    // TODO(e2ee): delete the devices' end-to-end keys when they exist.
    await deleteDevicesOfUser(
      trx,
      userId,
      options.keepDeviceId === undefined ? {} : { exceptDeviceId: options.keepDeviceId },
    );
  });
}
