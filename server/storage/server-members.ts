// The users of one server that ever had a membership in a room: whose m.room.member entries decide
// what that server may see of the room's history (federation/rooms/server-access.ts).
import type { Kysely } from 'kysely';
import { serverNameOfUser } from './room-servers.ts';
import type { Database } from './schema.ts';

export async function memberIdsOfServer(
  db: Kysely<Database>,
  roomId: string,
  serverName: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('events')
    .select('state_key')
    .distinct()
    .where('room_id', '=', roomId)
    .where('type', '=', 'm.room.member')
    .where('state_key', 'like', `%:${serverName.replace(/[\\%_]/g, (char) => `\\${char}`)}`)
    .execute();
  // LIKE matches the suffix; the server name is everything after the first colon.
  return rows
    .map((row) => row.state_key)
    .filter(
      (userId): userId is string => userId !== null && serverNameOfUser(userId) === serverName,
    )
    .sort();
}
