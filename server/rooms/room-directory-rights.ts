// Who may manage a room's directory entries (delete its aliases, publish it): the spec leaves it
// to servers. Cairn asks what Synapse asks: a joined member who may send the room's
// m.room.canonical_alias event, i.e. someone already trusted to name the room; server admins
// always may.
import type { Kysely } from 'kysely';
import { getMembership } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import { loadRoomPower } from './room-power.ts';

export async function mayManageRoomDirectory(
  db: Kysely<Database>,
  roomId: string,
  user: { readonly userId: string; readonly isAdmin: boolean },
): Promise<boolean> {
  if (user.isAdmin) return true;
  if ((await getMembership(db, roomId, user.userId)) !== 'join') return false;
  const power = await loadRoomPower(db, roomId);
  return power?.canSendState(user.userId, 'm.room.canonical_alias') ?? false;
}
