// The unsigned member event make_join, make_leave and make_knock hand a remote server, placed on
// our forward extremities with auth events from our current state, after checking it would be
// allowed now (the remote server signs it and sends it back through send_*, where it is checked
// again as any PDU).
// https://spec.matrix.org/latest/server-server-api/#joining-rooms
import { checkEventAuth } from '../../server/core/auth-rules/check-event-auth.ts';
import { serverNameOf } from '../../server/core/auth-rules/identifiers.ts';
import { authEventPairs } from '../../server/core/auth-rules/select-auth-events.ts';
import { lookupFromEvents } from '../../server/core/auth-rules/state-lookup.ts';
import type { JsonObject, Pdu } from '../../server/core/pdu.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { forbidden, MatrixError, notFound } from '../../server/http/matrix-error.ts';
import { restrictedJoinAuthoriser } from '../../server/rooms/restricted-join.ts';
import { loadRoomPower } from '../../server/rooms/room-power.ts';
import { getEvents, getForwardExtremities, getMembership } from '../../server/storage/events.ts';
import { isServerInRoom } from '../../server/storage/room-servers.ts';
import type { FederationContext } from '../federation-context.ts';
import { aclContentOf, isServerAllowedByAcl } from './server-acl.ts';

const MAX_PREV_EVENTS = 10;

export interface TemplateRequest {
  readonly roomId: string;
  readonly userId: string;
  readonly origin: string;
  readonly membership: 'join' | 'leave' | 'knock';
  /** The room versions the remote server supports (`ver`); undefined for make_leave. */
  readonly supportedVersions?: readonly string[];
}

export async function buildMembershipTemplate(
  ctx: FederationContext,
  request: TemplateRequest,
): Promise<{ event: Pdu; room_version: string }> {
  const { roomId, userId, origin, membership } = request;
  if (serverNameOf(userId) !== origin) {
    throw forbidden(`${userId} is not a user of ${origin}`);
  }
  const power = await loadRoomPower(ctx.db, roomId);
  if (!power || !(await isServerInRoom(ctx.db, roomId, ctx.config.serverName))) {
    throw notFound(`This server is not in room ${roomId}`);
  }
  const { version, state } = power;
  if (request.supportedVersions && !request.supportedVersions.includes(version.id)) {
    throw new MatrixError(
      400,
      'M_INCOMPATIBLE_ROOM_VERSION',
      `The room is version ${version.id}, which ${origin} does not support`,
      { room_version: version.id },
    );
  }
  const aclId = state.get(stateKey('m.room.server_acl', ''));
  if (aclId !== undefined) {
    const acl = (await getEvents(ctx.db, [aclId])).get(aclId);
    if (!isServerAllowedByAcl(aclContentOf(acl), origin)) {
      throw forbidden(`${origin} is denied by the room's server ACL`);
    }
  }

  const content: JsonObject = { membership };
  if (membership === 'join') {
    const current = await getMembership(ctx.db, roomId, userId);
    if (current !== 'invite' && current !== 'join') {
      const authoriser = await restrictedJoinAuthoriser(
        ctx.db,
        ctx.config.serverName,
        { roomId, power },
        userId,
      );
      if (authoriser !== undefined) content.join_authorised_via_users_server = authoriser;
    }
  }
  const pairs = authEventPairs(version, {
    type: 'm.room.member',
    stateKey: userId,
    sender: userId,
    content,
  });
  const authIds = pairs
    .map(([type, key]) => state.get(stateKey(type, key)))
    .filter((id): id is string => id !== undefined);
  const createId = state.get(stateKey('m.room.create', ''));
  const extremities = (await getForwardExtremities(ctx.db, roomId)).slice(0, MAX_PREV_EVENTS);
  const event: Pdu = {
    room_id: roomId,
    type: 'm.room.member',
    state_key: userId,
    sender: userId,
    content,
    origin_server_ts: ctx.now(),
    depth: Math.max(0, ...extremities.map((x) => x.depth)) + 1,
    prev_events: extremities.map((x) => x.eventId),
    auth_events: authIds,
    // Filled in by the joining server, which hashes and signs the event.
    hashes: {},
    signatures: {},
  };

  const known = await getEvents(ctx.db, createId ? [...authIds, createId] : authIds);
  const verdict = checkEventAuth(
    version,
    { eventId: '$template', pdu: event },
    lookupFromEvents(known.values()),
    // The authoriser's signature is added at send_join; here only whether it would hold.
    { isSignedBy: () => true },
  );
  if (!verdict.allowed)
    throw forbidden(`The ${membership} would not be allowed: ${verdict.reason}`);
  return { event, room_version: version.id };
}
