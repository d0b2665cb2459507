// POST /account/password after its user-interactive auth: the new hash, and by default the
// user's other devices logged out (spec: `logout_devices` defaults to true). Returns the ids
// of the devices logged out.
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
): Promise<string[]> {
  // Hashed before the transaction: tens of milliseconds of scrypt need not hold a connection.
  const hash = await hashPassword(newPassword);
  return db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, userId, hash);
    if (!options.logoutDevices) return [];
    // Deleting the devices deletes their tokens and end-to-end keys.
    return deleteDevicesOfUser(
      trx,
      userId,
      options.keepDeviceId === undefined ? {} : { exceptDeviceId: options.keepDeviceId },
    );
  });
}
