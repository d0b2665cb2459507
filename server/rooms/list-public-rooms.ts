// This server's published room directory: published rooms with anyone still joined, largest
// first (then by room id, so the order is stable), filtered, then cut into pages.
//
// The whole directory is summarised per request and filtered in memory: state lives in event
// JSON, and a single server's directory is small. Page tokens are offsets into that order:
// `n<offset>` starts a page there, `p<offset>` is the page ending there. A room gaining members
// between two requests can shift entries by one page edge; clients see at worst a repeat or a
// skip, which the spec's loose pagination contract allows.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3publicrooms
import type { Kysely } from 'kysely';
import { invalidParam } from '../http/matrix-error.ts';
import { getRoomStateContents, listPublishedRoomIds } from '../storage/public-rooms.ts';
import { countJoinedMembers } from '../storage/room-members.ts';
import type { Database } from '../storage/schema.ts';
import {
  type PublicRoomSummary,
  SUMMARY_STATE_TYPES,
  summarizePublicRoom,
} from './public-room-summary.ts';

export interface PublicRoomsQuery {
  readonly limit?: number | undefined;
  readonly since?: string | undefined;
  readonly searchTerm?: string | undefined;
  /** Room types to keep; null keeps rooms without a type. Absent or empty: no filter. */
  readonly roomTypes?: readonly (string | null)[] | undefined;
}

export interface PublicRoomsPage {
  chunk: PublicRoomSummary[];
  next_batch?: string;
  prev_batch?: string;
  total_room_count_estimate: number;
}

export async function listPublicRooms(
  db: Kysely<Database>,
  query: PublicRoomsQuery,
): Promise<PublicRoomsPage> {
  const cursor = parseSince(query.since);
  const roomIds = await listPublishedRoomIds(db);
  const [state, joined] = await Promise.all([
    getRoomStateContents(db, roomIds, SUMMARY_STATE_TYPES),
    countJoinedMembers(db, roomIds),
  ]);
  const rooms = roomIds
    .filter((roomId) => (joined.get(roomId) ?? 0) > 0)
    .map((roomId) =>
      summarizePublicRoom(roomId, state.get(roomId) ?? new Map(), joined.get(roomId)!),
    )
    .filter((room) => matchesQuery(room, query))
    .sort(
      (a, b) => b.num_joined_members - a.num_joined_members || (a.room_id < b.room_id ? -1 : 1),
    );
  return paginate(rooms, cursor, query.limit);
}

/**
 * `server` of /publicRooms: this server's own directory only. Other servers' directories are
 * read over federation, which comes later; until then they are 404.
 */
function matchesQuery(room: PublicRoomSummary, query: PublicRoomsQuery): boolean {
  if (query.roomTypes && query.roomTypes.length > 0) {
    if (!query.roomTypes.includes(room.room_type ?? null)) return false;
  }
  const term = query.searchTerm?.trim().toLowerCase();
  if (!term) return true;
  return [room.name, room.topic, room.canonical_alias].some((text) =>
    text?.toLowerCase().includes(term),
  );
}

type Cursor = { readonly from: number } | { readonly until: number };

function parseSince(since: string | undefined): Cursor {
  if (since === undefined || since === '') return { from: 0 };
  const match = /^([np])(\d{1,9})$/.exec(since);
  if (!match) throw invalidParam(`Unknown pagination token ${JSON.stringify(since)}`);
  const offset = Number(match[2]);
  return match[1] === 'n' ? { from: offset } : { until: offset };
}

function paginate(
  rooms: PublicRoomSummary[],
  cursor: Cursor,
  limit: number | undefined,
): PublicRoomsPage {
  // A page of none would hand back its own token forever.
  const count = Math.max(1, limit ?? rooms.length);
  let start: number;
  let end: number;
  if ('from' in cursor) {
    start = Math.min(cursor.from, rooms.length);
    end = Math.min(start + count, rooms.length);
  } else {
    end = Math.min(cursor.until, rooms.length);
    start = Math.max(0, end - count);
  }
  const page: PublicRoomsPage = {
    chunk: rooms.slice(start, end),
    total_room_count_estimate: rooms.length,
  };
  if (end < rooms.length) page.next_batch = `n${end}`;
  if (start > 0) page.prev_batch = `p${start}`;
  return page;
}
