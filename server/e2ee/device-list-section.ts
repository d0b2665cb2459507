// `device_lists` of an incremental /sync (and GET /keys/changes): the users whose device keys the
// client should fetch again (`changed`) and those it no longer shares a room with (`left`).
//
// changed: users sharing a room with the syncing user whose devices or cross-signing keys changed
// in the device list stream since the token (the user's own included), plus users who came to
// share a room since the token: members who joined one of the user's rooms, and everyone in a
// room the user joined, and the user themselves on joining (their other devices may need to
// know, and Complement expects it). left: users whose membership changed (or everyone in a room the user
// left) who now share no room with the user. An initial sync has no `device_lists`: the client
// fetches every key then anyway.
// https://spec.matrix.org/latest/client-server-api/#extensions-to-sync-1
import type { Kysely } from 'kysely';
import { usersChangedBetween } from '../storage/device-lists.ts';
import { roomMatesAmong } from '../storage/room-mates.ts';
import type { Database } from '../storage/schema.ts';

export const DEVICE_LISTS_STREAM = 'l';

export interface DeviceListRange {
  /** Events stream positions: (after, upTo]. */
  readonly eventsAfter: number;
  readonly eventsUpTo: number;
  /** Device list stream positions: (after, upTo]. */
  readonly listsAfter: number;
  readonly listsUpTo: number;
}

export interface DeviceListUpdates {
  readonly changed: string[];
  readonly left: string[];
}

export async function loadDeviceListUpdates(
  db: Kysely<Database>,
  userId: string,
  range: DeviceListRange,
): Promise<DeviceListUpdates> {
  const keysChanged = await usersChangedBetween(db, range.listsAfter, range.listsUpTo);
  const membership = await membershipChanges(db, userId, range.eventsAfter, range.eventsUpTo);
  const candidates = new Set([...keysChanged, ...membership.came, ...membership.went]);
  if (candidates.size === 0) return { changed: [], left: [] };
  const mates = await roomMatesAmong(db, userId, candidates);
  const changed = new Set<string>();
  for (const user of keysChanged) if (mates.has(user)) changed.add(user);
  for (const user of membership.came) if (mates.has(user)) changed.add(user);
  const left = new Set<string>();
  for (const user of membership.went) if (user !== userId && !mates.has(user)) left.add(user);
  return { changed: [...changed].sort(), left: [...left].sort() };
}

/**
 * Users whose membership changed in a room the user is (or was) in, between the positions:
 * `came` may now share a room with the user, `went` may not any more.
 */
async function membershipChanges(
  db: Kysely<Database>,
  userId: string,
  after: number,
  upTo: number,
): Promise<{ came: Set<string>; went: Set<string> }> {
  const came = new Set<string>();
  const went = new Set<string>();
  if (upTo <= after) return { came, went };
  const rows = await db
    .selectFrom('events')
    .select(['room_id', 'state_key'])
    .distinct()
    .where('type', '=', 'm.room.member')
    .where('stream_ordering', '>', after)
    .where('stream_ordering', '<=', upTo)
    .where('rejected_reason', 'is', null)
    .where('outlier', '=', false)
    .where(
      'room_id',
      'in',
      db
        .selectFrom('current_state')
        .select('room_id')
        .where('type', '=', 'm.room.member')
        .where('state_key', '=', userId),
    )
    .execute();
  const ownRooms = new Set<string>();
  for (const row of rows) {
    if (row.state_key === null) continue;
    if (row.state_key === userId) {
      ownRooms.add(row.room_id);
    } else {
      // Joined or not now, roomMatesAmong sorts them: mates are `came`, the rest `went`.
      came.add(row.state_key);
      went.add(row.state_key);
    }
  }
  if (ownRooms.size > 0) {
    const members = await db
      .selectFrom('current_state as member')
      .innerJoin('current_state as own', (join) =>
        join
          .onRef('own.room_id', '=', 'member.room_id')
          .on('own.type', '=', 'm.room.member')
          .on('own.state_key', '=', userId),
      )
      .select(['member.state_key', 'own.membership'])
      .where('member.room_id', 'in', [...ownRooms])
      .where('member.type', '=', 'm.room.member')
      .where('member.membership', '=', 'join')
      .execute();
    for (const member of members) {
      (member.membership === 'join' ? came : went).add(member.state_key);
    }
  }
  return { came, went };
}
