// GET /_matrix/federation/v1/event/{eventId}
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1eventeventid
// One event, as a transaction of one PDU. The asking server must be in the event's room (403);
// an unknown event is 404. An event it may not see under the room's history visibility comes
// redacted, as Synapse serves it: the server can still check it and place it in the DAG.
// Rejected events are served too: the asker needs them to reject them in turn.
import { type EventIdParams, eventIdParams } from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { notFound } from '../../server/http/matrix-error.ts';
import { getEvent } from '../../server/storage/events.ts';
import type { FederationContext } from '../federation-context.ts';
import { pdusForServer } from '../rooms/events-for-server.ts';
import { requireServerInRoom } from '../rooms/server-access.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

export const getFederationEvent = defineEndpoint<
  FederationContext,
  unknown,
  unknown,
  EventIdParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/event/:eventId',
  schema: { params: eventIdParams },
  handler: async (ctx, request) => {
    const origin = federationOriginOf(request);
    const { eventId } = request.params;
    const event = await getEvent(ctx.db, eventId);
    if (!event) throw notFound(`Could not find event ${eventId}`);
    const version = await requireServerInRoom(ctx.db, event.roomId, origin);
    const pdus = await pdusForServer(ctx.db, version, event.roomId, origin, [event]);
    return { origin: ctx.config.serverName, origin_server_ts: ctx.now(), pdus };
  },
});
