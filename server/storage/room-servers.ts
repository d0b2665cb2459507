// Which servers are in a room: those with at least one joined member in its current state. The
// federation sender sends a room's events to them, and federation endpoints answer only them.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** The server name of a user id: everything after the first colon (a name may hold a port). */
export function serverNameOfUser(userId: string): string {
  return userId.slice(userId.indexOf(':') + 1);
}

/** Servers with a joined member in the room's current state, sorted; ours included if joined. */
export async function joinedServersOf(db: Kysely<Database>, roomId: string): Promise<string[]> {
  return [...(await joinedServersSince(db, roomId)).keys()].sort();
}

/** Whether `serverName` has a joined member in the room's current state. */
export async function isServerInRoom(
  db: Kysely<Database>,
  roomId: string,
  serverName: string,
): Promise<boolean> {
  // The suffix match is on the text after the first colon, so `a.test` never matches `ba.test`.
  const row = await db
    .selectFrom('current_state')
    .select('state_key')
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('membership', '=', 'join')
    .where('state_key', 'like', `%:${escapeLike(serverName)}`)
    .limit(50)
    .execute();
  return row.some((each) => serverNameOfUser(each.state_key) === serverName);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * For each server with a joined member now: the stream position of its earliest current join,
 * i.e. since when it has been in the room without a break. An event at an earlier position
 * happened before that server was (back) in the room.
 */
export async function joinedServersSince(
  db: Kysely<Database>,
  roomId: string,
): Promise<Map<string, number>> {
  return (await joinedServersSinceIn(db, [roomId])).get(roomId)!;
}

/** joinedServersSince for several rooms in one statement; every room asked is in the result. */
export async function joinedServersSinceIn(
  db: Kysely<Database>,
  roomIds: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const found = new Map(roomIds.map((roomId) => [roomId, new Map<string, number>()]));
  if (found.size === 0) return found;
  // Grouped in the database: a room of 10,000 members has a few servers, and every event sent
  // in it asks (federation/sender/catch-up.ts, once per batch of events for all their rooms);
  // reading each member's row took a tenth of the CPU of building a 10,000-member room. The
  // server name is everything after the first colon, as serverNameOfUser has it.
  const { rows } = await sql<{ room_id: string; server: string; since: number }>`
    SELECT room_id, substr(state_key, strpos(state_key, ':') + 1) AS server,
      min(stream_ordering) AS since
    FROM current_state
    WHERE room_id IN (${sql.join([...found.keys()])})
      AND type = 'm.room.member' AND membership = 'join'
    GROUP BY 1, 2`.execute(db);
  for (const row of rows) found.get(row.room_id)?.set(row.server, Number(row.since));
  return found;
}
