// A device's unclaimed one-time keys by algorithm, as keys/upload and /sync report them.
// `signed_curve25519` is always present (0 when none are left): clients read its absence as
// "no count given" rather than "none left", and would not top their keys up.
import type { Kysely } from 'kysely';
import { countOneTimeKeys } from '../storage/e2e-keys.ts';
import type { Database } from '../storage/schema.ts';

export async function oneTimeKeyCounts(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<Record<string, number>> {
  return { signed_curve25519: 0, ...(await countOneTimeKeys(db, userId, deviceId)) };
}
