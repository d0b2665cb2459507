// Checks every inbound EDU about a user in a room needs: the user is one of the sending server's
// (a server speaks for its own users only), is joined to the room, and the room's server ACL
// lets the server in (the spec applies ACLs to typing and receipt EDUs too).
// https://spec.matrix.org/latest/client-server-api/#server-access-control-lists-acls-for-rooms
import type { Context } from '../../server/context.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { getCurrentStateEntries, getEvent, getMembership } from '../../server/storage/events.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { aclContentOf, isServerAllowedByAcl } from '../rooms/server-acl.ts';

/** Whether `userId` is a user id of the server `origin`. */
export function isUserOf(userId: unknown, origin: string): userId is string {
  return (
    typeof userId === 'string' && userId.startsWith('@') && serverNameOfUser(userId) === origin
  );
}

/** Whether the user (of `origin`) is joined to the room and the room's ACL admits `origin`. */
export async function mayActInRoom(
  ctx: Pick<Context, 'db'>,
  origin: string,
  roomId: string,
  userId: string,
): Promise<boolean> {
  if ((await getMembership(ctx.db, roomId, userId)) !== 'join') return false;
  const acl = await getCurrentStateEntries(ctx.db, roomId, [['m.room.server_acl', '']]);
  const aclId = acl.get(stateKey('m.room.server_acl', ''));
  if (aclId === undefined) return true;
  return isServerAllowedByAcl(aclContentOf(await getEvent(ctx.db, aclId)), origin);
}
