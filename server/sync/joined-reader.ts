// The RoomReader of a user who is joined to a room and stayed joined through the sync's window,
// built from what the sync already knows instead of reading the user's membership history again
// (room-reader.ts does that in three queries; a long-poll wake-up repeats it for every waiter).
// For such a reader every event of the window is visible, and "latest join" only serves the
// visibility of older events, for which the current join event answers the same.
import type { Kysely } from 'kysely';
import { getRoomVersion, type RoomVersion } from '../core/room-versions.ts';
import type { RoomReader } from '../rooms/room-reader.ts';
import { getRoomVersionOf } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import type { MemberEventRow } from '../storage/sync-memberships.ts';

/** Room versions never change: remembered for the process, up to a bound. */
export class RoomVersionCache {
  readonly #versions = new Map<string, RoomVersion>();

  async get(db: Kysely<Database>, roomId: string): Promise<RoomVersion | undefined> {
    const known = this.#versions.get(roomId);
    if (known) return known;
    const id = await getRoomVersionOf(db, roomId);
    const version = id === undefined ? undefined : getRoomVersion(id);
    if (version) {
      if (this.#versions.size >= 100_000) this.#versions.clear();
      this.#versions.set(roomId, version);
    }
    return version;
  }
}

export async function joinedReader(
  db: Kysely<Database>,
  versions: RoomVersionCache,
  userId: string,
  join: MemberEventRow,
): Promise<RoomReader | undefined> {
  const version = await versions.get(db, join.roomId);
  if (!version) return undefined;
  return {
    roomId: join.roomId,
    userId,
    version,
    membership: 'join',
    latestJoin: join.streamOrdering,
    departure: undefined,
  };
}
