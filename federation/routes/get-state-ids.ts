// GET /_matrix/federation/v1/state_ids/{roomId}?event_id=
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1state_idsroomid
// /state as event ids: the state before the event and its auth chain. The asking server must be
// in the room and allowed by its server ACL (403); an event without known state is 404.
import {
  type RoomIdParams,
  roomIdParams,
  type StateAtEventQuery,
  stateAtEventQuery,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { stateBeforeEventWithAuthChain } from '../rooms/served-state.ts';
import { requireRoomAccess } from '../rooms/server-access.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

export const getFederationStateIds = defineEndpoint<
  FederationContext,
  unknown,
  StateAtEventQuery,
  RoomIdParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/state_ids/:roomId',
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
      pdu_ids: state.map((event) => event.eventId),
      auth_chain_ids: authChain.map((event) => event.eventId),
    };
  },
});
