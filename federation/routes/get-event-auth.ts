// GET /_matrix/federation/v1/event_auth/{roomId}/{eventId}
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1event_authroomideventid
// The full auth chain of an event: its auth events and theirs, recursively, the event itself left
// out (as Synapse answers). The asking server must be in the room and allowed by its server ACL
// (403); an event unknown in that room, or rejected here, is 404. Outliers have auth chains too.
import {
  type RoomEventParams,
  roomEventParams,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { notFound } from '../../server/http/matrix-error.ts';
import { loadAuthChain } from '../../server/storage/auth-chain.ts';
import { getEvent } from '../../server/storage/events.ts';
import type { FederationContext } from '../federation-context.ts';
import { servedPdu } from '../rooms/events-for-server.ts';
import { requireRoomAccess } from '../rooms/server-access.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

export const getFederationEventAuth = defineEndpoint<
  FederationContext,
  unknown,
  unknown,
  RoomEventParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/event_auth/:roomId/:eventId',
  schema: { params: roomEventParams },
  handler: async (ctx, request) => {
    const { roomId, eventId } = request.params;
    const version = await requireRoomAccess(ctx.db, roomId, federationOriginOf(request));
    const event = await getEvent(ctx.db, eventId);
    if (!event || event.roomId !== roomId || event.rejectedReason !== null) {
      throw notFound(`Could not find event ${eventId} in room ${roomId}`);
    }
    const chain = await loadAuthChain(ctx.db, version, roomId, [event]);
    return { auth_chain: chain.map((each) => servedPdu(version, each)) };
  },
});
