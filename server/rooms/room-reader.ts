// Who may read a room, and up to where: the room-level half of history visibility. A joined user
// reads it all; anyone reads a room whose history is world_readable now; a user who joined once
// and has since left (or been kicked, banned, re-invited) reads up to that last membership change,
// unless they forgot the room. Everyone else reads nothing. Which events inside that range a user
// sees is decided per event (visible-events.ts).
// https://spec.matrix.org/latest/client-server-api/#room-history-visibility
import type { Kysely } from 'kysely';
import type { RoomVersion } from '../core/room-versions.ts';
import { getEvent, loadRoomVersion } from '../storage/events.ts';
import { isRoomForgotten } from '../storage/room-forgotten.ts';
import { getMembershipHistory } from '../storage/room-timeline.ts';
import type { Database } from '../storage/schema.ts';
import { historyVisibilityOf } from './history-visibility.ts';

export interface RoomReader {
  readonly roomId: string;
  readonly userId: string;
  readonly version: RoomVersion;
  /** The user's membership now, if they have one. */
  readonly membership: string | undefined;
  /** Stream position of the user's latest join, if they ever joined. */
  readonly latestJoin: number | undefined;
  /**
   * For a user no longer joined (in a room that is not world_readable): their last membership
   * change, where their reading of the room stops (its stream position is the inclusive limit).
   */
  readonly departure: { readonly eventId: string; readonly streamOrdering: number } | undefined;
}

/** The reader, or undefined when the user may not read the room at all (or it is unknown). */
export async function loadRoomReader(
  db: Kysely<Database>,
  roomId: string,
  userId: string,
): Promise<RoomReader | undefined> {
  const version = await loadRoomVersion(db, roomId);
  if (!version) return undefined;
  const history = await getMembershipHistory(db, roomId, userId);
  const current = await currentMembershipEvent(db, roomId, userId);
  const membership = history.find((entry) => entry.eventId === current?.event_id)?.membership;
  const joins = history.filter((entry) => entry.membership === 'join');
  const latestJoin = joins.at(-1)?.streamOrdering;
  const base = {
    roomId,
    userId,
    version,
    membership: typeof membership === 'string' ? membership : undefined,
    latestJoin,
  };
  if (base.membership === 'join') return { ...base, departure: undefined };
  if (await isWorldReadable(db, roomId)) return { ...base, departure: undefined };
  if (latestJoin === undefined || !current) return undefined;
  if (await isRoomForgotten(db, userId, roomId)) return undefined;
  return {
    ...base,
    departure: { eventId: current.event_id, streamOrdering: current.stream_ordering },
  };
}

/** The inclusive stream limit of what the reader may read, if any. */
export function readLimitOf(reader: RoomReader): number | undefined {
  return reader.departure?.streamOrdering;
}

async function currentMembershipEvent(db: Kysely<Database>, roomId: string, userId: string) {
  return db
    .selectFrom('current_state')
    .select(['event_id', 'stream_ordering'])
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .executeTakeFirst();
}

async function isWorldReadable(db: Kysely<Database>, roomId: string): Promise<boolean> {
  const row = await db
    .selectFrom('current_state')
    .select('event_id')
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.history_visibility')
    .where('state_key', '=', '')
    .executeTakeFirst();
  const event = row && (await getEvent(db, row.event_id));
  return historyVisibilityOf(event?.pdu.content) === 'world_readable';
}
