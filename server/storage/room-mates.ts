// Who shares a room with whom, from current state: the joined rooms of a user, the servers of
// everyone joined to them, and whether two users are joined to a common room.
import type { Kysely } from 'kysely';
import { chunksOf } from './chunks.ts';
import { serverNameOfUser } from './room-servers.ts';
import type { Database } from './schema.ts';

/** Rooms the user is joined to now. */
export async function joinedRoomIdsOf(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('current_state')
    .select('room_id')
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .where('membership', '=', 'join')
    .execute();
  return rows.map((row) => row.room_id);
}

/** Servers (other than the user's own) with a member joined to a room the user is joined to. */
export async function serversSharingRoomWith(
  db: Kysely<Database>,
  userId: string,
): Promise<string[]> {
  const rows = await joinedMatesOf(db, userId).execute();
  const own = serverNameOfUser(userId);
  const servers = new Set<string>();
  for (const row of rows) {
    if (row.state_key === null) continue;
    const server = serverNameOfUser(row.state_key);
    if (server !== own) servers.add(server);
  }
  return [...servers];
}

/** The subset of `userIds` joined to a room `userId` is joined to (and `userId` itself). */
export async function roomMatesAmong(
  db: Kysely<Database>,
  userId: string,
  userIds: Iterable<string>,
): Promise<Set<string>> {
  const candidates = [...new Set(userIds)];
  const mates = new Set<string>();
  if (candidates.includes(userId)) mates.add(userId);
  const others = candidates.filter((candidate) => candidate !== userId);
  for (const batch of chunksOf(others, 2000)) {
    const rows = await joinedMatesOf(db, userId).where('mate.state_key', 'in', batch).execute();
    for (const row of rows) if (row.state_key !== null) mates.add(row.state_key);
  }
  return mates;
}

/** Everyone joined to a room the user is joined to (the user included), each once. */
function joinedMatesOf(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('current_state as mate')
    .innerJoin('current_state as mine', (join) =>
      join
        .onRef('mine.room_id', '=', 'mate.room_id')
        .on('mine.type', '=', 'm.room.member')
        .on('mine.state_key', '=', userId)
        .on('mine.membership', '=', 'join'),
    )
    .select('mate.state_key')
    .distinct()
    .where('mate.type', '=', 'm.room.member')
    .where('mate.membership', '=', 'join');
}
