// Claims keys of local devices for keys/claim (client and federation): one one-time key per
// device and algorithm, or the device's fallback key when none are left. Unknown users, devices
// and algorithms are left out of the answer, as the spec's response shape has no error per key.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysclaim
import type { Kysely } from 'kysely';
import type { JsonValue } from '../core/pdu.ts';
import { claimKey } from '../storage/e2e-keys.ts';
import type { Database } from '../storage/schema.ts';

/** User id -> device id -> `algorithm:key_id` -> key. */
export type ClaimedKeys = Record<string, Record<string, Record<string, JsonValue>>>;

export async function claimLocalKeys(
  db: Kysely<Database>,
  wanted: Readonly<Record<string, Readonly<Record<string, string>>>>,
  into: ClaimedKeys,
): Promise<void> {
  for (const [userId, devices] of Object.entries(wanted)) {
    for (const [deviceId, algorithm] of Object.entries(devices)) {
      const claimed = await claimKey(db, userId, deviceId, algorithm);
      if (!claimed) continue;
      into[userId] ??= {};
      into[userId]![deviceId] = { [claimed.id]: claimed.key };
    }
  }
}
