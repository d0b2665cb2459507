// POST /account/deactivate after its user-interactive auth (the endpoint then leaves the
// user's rooms). The users row stays (a user id is
// never reused), marked deactivated; every device and token goes (their ids are returned). The password hash is kept so
// that a later login with the right password can be told M_USER_DEACTIVATED.
import type { Kysely } from 'kysely';
import { deleteAllAccountData } from '../storage/account-data.ts';
import { deleteDevicesOfUser } from '../storage/devices.ts';
import { setProfileField } from '../storage/profiles.ts';
import type { Database } from '../storage/schema.ts';
import { setDeactivated } from '../storage/users.ts';

export async function deactivateAccount(
  db: Kysely<Database>,
  userId: string,
  options: { erase: boolean },
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await setDeactivated(trx, userId);
    const deviceIds = await deleteDevicesOfUser(trx, userId);
    if (options.erase) {
      // Erasure covers non-event data too (spec): account data and the profile.
      await deleteAllAccountData(trx, userId);
      await setProfileField(trx, userId, 'displayname', null);
      await setProfileField(trx, userId, 'avatar_url', null);
    }
    return deviceIds;
  });
}
