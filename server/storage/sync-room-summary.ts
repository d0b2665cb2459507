// Room facts for /sync's room summary and stripped state, read from current_state.
import type { Kysely } from 'kysely';
import { getCurrentStateEntries } from './events.ts';
import type { Database } from './schema.ts';

/** Number of members by membership (join and invite only). */
export async function countMembers(
  db: Kysely<Database>,
  roomId: string,
): Promise<{ joined: number; invited: number }> {
  const rows = await db
    .selectFrom('current_state')
    .select(['membership', db.fn.countAll().as('n')])
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('membership', 'in', ['join', 'invite'])
    .groupBy('membership')
    .execute();
  const count = (membership: string) =>
    Number(rows.find((row) => row.membership === membership)?.n ?? 0);
  return { joined: count('join'), invited: count('invite') };
}

/** Up to `limit` members other than `exceptUserId` with one of `memberships`, earliest first. */
export async function membersInOrder(
  db: Kysely<Database>,
  roomId: string,
  memberships: readonly string[],
  exceptUserId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('current_state')
    .select('state_key')
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('membership', 'in', [...memberships])
    .where('state_key', '!=', exceptUserId)
    .orderBy('stream_ordering')
    .limit(limit)
    .execute();
  return rows.map((row) => row.state_key);
}

/** Event ids of the current state entries with these keys. */
export async function currentStateEventIds(
  db: Kysely<Database>,
  roomId: string,
  keys: readonly (readonly [type: string, stateKey: string])[],
): Promise<string[]> {
  return [...(await getCurrentStateEntries(db, roomId, keys)).values()];
}
