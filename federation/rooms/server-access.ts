// What a requesting server may read of a room over federation.
//
// The room: a server reads a room's state, auth chains and history only while it has a joined
// member in the room's current state, and only if the room's server ACL (server-acl.ts) lets it
// in: the spec lists /state, /state_ids, /event_auth, /backfill and /get_missing_events among the
// endpoints ACLs protect. An unknown room gets the same 403 as a room the server is not in, as
// Synapse answers, so that outsiders are not told which rooms exist.
//
// An event: history visibility applied to servers as Synapse's `filter_events_for_server` does.
// Under `world_readable` or `shared` any server in the room may see it; under `invited` or
// `joined` the server needs a user who was joined (or invited, for `invited`) at the event. As
// for users (the client-server "Server behaviour" rules), a history visibility event is visible
// if the setting before or after it allows, and a member event of one of the server's users if
// the membership before or after it does.
// https://spec.matrix.org/latest/server-server-api/#server-access-control-lists-acls
// https://spec.matrix.org/latest/client-server-api/#mroomserver_acl
// https://spec.matrix.org/latest/client-server-api/#server-behaviour-7
import type { Kysely } from 'kysely';
import type { JsonObject } from '../../server/core/pdu.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import { forbidden } from '../../server/http/matrix-error.ts';
import {
  type HistoryVisibility,
  historyVisibilityOf,
} from '../../server/rooms/history-visibility.ts';
import { loadRoomVersion } from '../../server/storage/events.ts';
import { getRoomStateContents } from '../../server/storage/public-rooms.ts';
import { isServerInRoom, serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { Database } from '../../server/storage/schema.ts';
import { isServerAllowedByAcl } from './server-acl.ts';

/** The room's version, if `origin` has a joined member in it; 403 M_FORBIDDEN otherwise. */
export async function requireServerInRoom(
  db: Kysely<Database>,
  roomId: string,
  origin: string,
): Promise<RoomVersion> {
  const version = await loadRoomVersion(db, roomId);
  if (version === undefined || !(await isServerInRoom(db, roomId, origin))) {
    throw forbidden(`${origin} is not in room ${roomId}`);
  }
  return version;
}

/** requireServerInRoom, then the room's server ACL; 403 M_FORBIDDEN when either refuses. */
export async function requireRoomAccess(
  db: Kysely<Database>,
  roomId: string,
  origin: string,
): Promise<RoomVersion> {
  // Membership first, so that a server outside the room learns nothing of its ACL.
  const version = await requireServerInRoom(db, roomId, origin);
  const states = await getRoomStateContents(db, [roomId], ['m.room.server_acl']);
  const acl = states.get(roomId)?.get('m.room.server_acl');
  if (!isServerAllowedByAcl(acl, origin)) {
    throw forbidden(`${origin} is denied by the server ACL of room ${roomId}`);
  }
  return version;
}

export interface EventFacts {
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly content: JsonObject;
}

export interface ServerViewFacts {
  readonly serverName: string;
  /** The room's history visibility in the state before the event. */
  readonly visibilityBefore: HistoryVisibility;
  /** The memberships of the server's users in the state before the event. */
  readonly membershipsBefore: readonly string[];
}

export function mayServerSeeEvent(event: EventFacts, viewer: ServerViewFacts): boolean {
  const visibilities = [viewer.visibilityBefore];
  if (event.type === 'm.room.history_visibility' && event.stateKey === '') {
    visibilities.push(historyVisibilityOf(event.content));
  }
  if (visibilities.some((v) => v === 'world_readable' || v === 'shared')) return true;
  const memberships = [...viewer.membershipsBefore];
  if (
    event.type === 'm.room.member' &&
    event.stateKey?.startsWith('@') &&
    serverNameOfUser(event.stateKey) === viewer.serverName
  ) {
    const after = event.content.membership;
    if (typeof after === 'string') memberships.push(after);
  }
  if (memberships.includes('join')) return true;
  return visibilities.includes('invited') && memberships.includes('invite');
}
