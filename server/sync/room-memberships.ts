// The user's membership in every room, as of the sync's upper position, and for an incremental
// sync what changed since its token. current_state gives the latest member event per room in one
// indexed query; only rooms whose latest event is past the upper position (it committed while
// this sync ran) need a second look, at the events table.
//
// "Membership at a position" is the user's latest member event at or before it, in stream
// order: for rooms whose history this server built in order, that is the membership in the state.
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import {
  currentMemberships,
  type MemberEventRow,
  memberEventsAt,
  memberEventsBetween,
} from '../storage/sync-memberships.ts';

export interface RoomMembership {
  readonly roomId: string;
  /** The user's member event at the upper position. */
  readonly current: MemberEventRow;
  /** The one at the token's position, for rooms that changed since (incremental syncs). */
  readonly previous: MemberEventRow | undefined;
  /** The user's member events after the token, oldest first (incremental syncs). */
  readonly changes: readonly MemberEventRow[];
}

export async function loadRoomMemberships(
  db: Kysely<Database>,
  userId: string,
  since: number | undefined,
  upTo: number,
): Promise<RoomMembership[]> {
  const latest = await currentMemberships(db, userId);
  const ahead = latest.filter((row) => row.streamOrdering > upTo).map((row) => row.roomId);
  const atUpTo = await memberEventsAt(db, userId, ahead, upTo);
  const current = latest
    .map((row) => (row.streamOrdering > upTo ? atUpTo.get(row.roomId) : row))
    .filter((row): row is MemberEventRow => row !== undefined);
  if (since === undefined) {
    return current.map((row) => ({
      roomId: row.roomId,
      current: row,
      previous: undefined,
      changes: [],
    }));
  }

  const changedIds = current.filter((row) => row.streamOrdering > since).map((row) => row.roomId);
  const changes = await memberEventsBetween(db, userId, changedIds, since, upTo);
  const previous = await memberEventsAt(db, userId, changedIds, since);
  const changesByRoom = Map.groupBy(changes, (row) => row.roomId);
  return current.map((row) => ({
    roomId: row.roomId,
    current: row,
    previous: previous.get(row.roomId),
    changes: changesByRoom.get(row.roomId) ?? [],
  }));
}
