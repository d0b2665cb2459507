// A local user joins a room this server knows. Rooms known only to other servers need a remote
// join over federation (make_join/send_join), which comes with the federation API: until then
// they are 404 M_NOT_FOUND.
// https://spec.matrix.org/latest/client-server-api/#joining-rooms
import type { JsonObject } from '../core/pdu.ts';
import { notFound } from '../http/matrix-error.ts';
import { getMembership } from '../storage/events.ts';
import { restrictedJoinAuthoriser } from './restricted-join.ts';
import type { RoomDeps } from './room-deps.ts';
import { loadRoomPower } from './room-power.ts';
import { updateMembership } from './update-membership.ts';

export interface JoinRequest {
  readonly roomId: string;
  readonly userId: string;
  readonly reason?: string | undefined;
  /**
   * The client's own keys for the member event (the join request body, as Synapse takes it):
   * they may set a room-specific `displayname` or `avatar_url`, or add keys of their own.
   */
  readonly content?: JsonObject | undefined;
}

/** Keys of a join body that are not content: instructions to the server, or its to set. */
const NOT_CONTENT = new Set([
  'membership',
  'third_party_signed',
  'join_authorised_via_users_server',
]);

export async function joinRoom(deps: RoomDeps, request: JoinRequest): Promise<void> {
  const { roomId, userId } = request;
  // The join rules are the one key of state the authoriser reads (restricted-join.ts).
  const power = await loadRoomPower(deps.db, roomId, [['m.room.join_rules', '']]);
  if (!power) {
    throw notFound(`Room ${roomId} is not known to this server (remote joins are not supported)`);
  }
  const membership = await getMembership(deps.db, roomId, userId);
  // Joining twice is not an error, and a second member event would only repeat the first.
  if (membership === 'join') return;
  const authoriser =
    membership === 'invite'
      ? undefined
      : await restrictedJoinAuthoriser(deps.db, deps.serverName, { roomId, power }, userId);
  await updateMembership(deps, {
    roomId,
    sender: userId,
    target: userId,
    membership: 'join',
    reason: request.reason,
    extra: {
      ...clientContent(request.content),
      ...(authoriser === undefined ? {} : { join_authorised_via_users_server: authoriser }),
    },
  });
}

function clientContent(content: JsonObject | undefined): JsonObject {
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(content ?? {})) {
    if (!NOT_CONTENT.has(key)) kept[key] = value;
  }
  return kept;
}
