// Remote users whose device lists (devices and public cross-signing keys) are cached here: the
// users who share a room with a local user, whose servers send us every change as EDUs. The
// keys themselves live in e2e_device_keys and e2e_cross_signing_keys under the remote user id.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface RemoteDeviceList {
  readonly userId: string;
  /** The last stream_id the user's server sent, as JSON text. */
  readonly streamId: string;
  readonly stale: boolean;
}

export async function getRemoteDeviceList(
  db: Kysely<Database>,
  userId: string,
): Promise<RemoteDeviceList | undefined> {
  const row = await db
    .selectFrom('remote_device_lists')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && { userId: row.user_id, streamId: row.stream_id, stale: row.stale };
}

/** The users among `userIds` with a cached list that is not stale. */
export async function freshRemoteDeviceLists(
  db: Kysely<Database>,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('remote_device_lists')
    .select('user_id')
    .where('user_id', 'in', userIds)
    .where('stale', '=', false)
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

export async function putRemoteDeviceList(
  db: Kysely<Database>,
  list: RemoteDeviceList,
  now: number,
): Promise<void> {
  await db
    .insertInto('remote_device_lists')
    .values({ user_id: list.userId, stream_id: list.streamId, stale: list.stale, updated_ts: now })
    .onConflict((conflict) =>
      conflict
        .column('user_id')
        .doUpdateSet({ stream_id: list.streamId, stale: list.stale, updated_ts: now }),
    )
    .execute();
}

export async function markRemoteDeviceListStale(
  db: Kysely<Database>,
  userId: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('remote_device_lists')
    .set({ stale: true, updated_ts: now })
    .where('user_id', '=', userId)
    .execute();
}

/** Whether a local user of `serverName` is joined to a room `userId` is joined to. */
export async function sharesRoomWithLocalUser(
  db: Kysely<Database>,
  userId: string,
  serverName: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('current_state as them')
    .innerJoin('current_state as local', (join) =>
      join
        .onRef('local.room_id', '=', 'them.room_id')
        .on('local.type', '=', 'm.room.member')
        .on('local.membership', '=', 'join')
        .on(
          'local.state_key',
          'like',
          sql<string>`${`%:${serverName.replace(/[\\%_]/g, '\\$&')}`}`,
        ),
    )
    .select('them.room_id')
    .where('them.type', '=', 'm.room.member')
    .where('them.state_key', '=', userId)
    .where('them.membership', '=', 'join')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
