// GET /_matrix/federation/v1/state/{roomId}?event_id=
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1stateroomid
// The state before the event, as full PDUs, with their auth chain (federation/rooms/served-state.ts).
// The asking server must be in the room and allowed by its server ACL (403).
import {
  type RoomIdParams,
  roomIdParams,
  type StateAtEventQuery,
  stateAtEventQuery,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { servedPdu } from '../rooms/events-for-server.ts';
import { stateBeforeEventWithAuthChain } from '../rooms/served-state.ts';
import { requireRoomAccess } from '../rooms/server-access.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

export const getFederationState = defineEndpoint<
  FederationContext,
  unknown,
  StateAtEventQuery,
  RoomIdParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/state/:roomId',
  schema: { params: roomIdParams, querystring: stateAtEventQuery },
  handler: async (ctx, request) => {
    const { roomId } = request.params;
    const version = await requireRoomAccess(ctx.db, roomId, federationOriginOf(request));
    const { state, authChain } = await stateBeforeEventWithAuthChain(
      ctx.db,
      version,
      roomId,
      request.query.event_id,
    );
    return {
      pdus: state.map((event) => servedPdu(version, event)),
      auth_chain: authChain.map((event) => servedPdu(version, event)),
    };
  },
});
