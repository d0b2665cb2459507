// The device list stream (device_list_changes): which users' devices or cross-signing keys
// changed, in stream order, for /sync's `device_lists` and for the m.device_list_update EDUs.
//
// /sync reads the changes after a token's position up to the current maximum. Were a lower
// stream id still uncommitted when a higher one is read, the lower one would be missed for good;
// so changes are appended under a table lock held to the commit, as device_inbox does
// (storage/to-device.ts): stream ids become visible in order. The lock does not block readers.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface DeviceListChange {
  readonly userId: string;
  /** A local device that changed; undefined for cross-signing keys or a remote user. */
  readonly deviceId?: string | undefined;
}

export interface AppendedChange extends DeviceListChange {
  readonly streamId: number;
  /** The user's previous device row's stream id (an EDU's prev_id); undefined when none. */
  readonly previousStreamId: number | undefined;
}

/** Appends the changes in order, in one transaction (opened here unless `db` is one). */
export async function appendDeviceListChanges(
  db: Kysely<Database>,
  changes: readonly DeviceListChange[],
  now: number,
): Promise<AppendedChange[]> {
  if (changes.length === 0) return [];
  const write = async (trx: Kysely<Database>): Promise<AppendedChange[]> => {
    await sql`LOCK TABLE device_list_changes IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const appended: AppendedChange[] = [];
    for (const change of changes) {
      const previous =
        change.deviceId === undefined
          ? undefined
          : await trx
              .selectFrom('device_list_changes')
              .select((eb) => eb.fn.max('stream_id').as('stream_id'))
              .where('user_id', '=', change.userId)
              .where('device_id', 'is not', null)
              .executeTakeFirst();
      const row = await trx
        .insertInto('device_list_changes')
        .values({ user_id: change.userId, device_id: change.deviceId ?? null, created_ts: now })
        .returning('stream_id')
        .executeTakeFirstOrThrow();
      appended.push({
        ...change,
        streamId: Number(row.stream_id),
        previousStreamId: previous?.stream_id == null ? undefined : Number(previous.stream_id),
      });
    }
    return appended;
  };
  return db.isTransaction ? write(db) : db.transaction().execute(write);
}

/** The stream's current position: its highest committed stream id, 0 when empty. */
export async function deviceListPosition(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('device_list_changes')
    .select((eb) => eb.fn.max('stream_id').as('max'))
    .executeTakeFirst();
  return row?.max == null ? 0 : Number(row.max);
}

/** Every user with a change in (after, upTo]. */
export async function usersChangedBetween(
  db: Kysely<Database>,
  after: number,
  upTo: number,
): Promise<Set<string>> {
  if (upTo <= after) return new Set();
  const rows = await db
    .selectFrom('device_list_changes')
    .select('user_id')
    .distinct()
    .where('stream_id', '>', after)
    .where('stream_id', '<=', upTo)
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

/** The stream id of the user's latest device change (0 when none): user/devices' stream_id. */
export async function latestDeviceStreamId(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('device_list_changes')
    .select((eb) => eb.fn.max('stream_id').as('max'))
    .where('user_id', '=', userId)
    .where('device_id', 'is not', null)
    .executeTakeFirst();
  return row?.max == null ? 0 : Number(row.max);
}
