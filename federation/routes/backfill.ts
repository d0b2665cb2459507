// GET /_matrix/federation/v1/backfill/{roomId}?v=...&limit=
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1backfillroomid
// The `v` events and those before them, newest first, as a transaction (rooms/walk-prev-events.ts).
// The asking server must be in the room and allowed by its server ACL (403). Events it may not
// see under the room's history visibility come redacted (rooms/events-for-server.ts).
import {
  type BackfillQuery,
  backfillQuery,
  type RoomIdParams,
  roomIdParams,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { pdusForServer } from '../rooms/events-for-server.ts';
import { requireRoomAccess } from '../rooms/server-access.ts';
import { walkBackfill } from '../rooms/walk-prev-events.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

/** Synapse asks for 100 at a time and serves no more; neither do we. */
const MAX_BACKFILL = 100;

export const backfill = defineEndpoint<FederationContext, unknown, BackfillQuery, RoomIdParams>({
  method: 'GET',
  path: '/_matrix/federation/v1/backfill/:roomId',
  schema: { params: roomIdParams, querystring: backfillQuery },
  handler: async (ctx, request) => {
    const origin = federationOriginOf(request);
    const { roomId } = request.params;
    const version = await requireRoomAccess(ctx.db, roomId, origin);
    const limit = Math.min(request.query.limit, MAX_BACKFILL);
    const events = await walkBackfill(ctx.db, roomId, request.query.v, limit);
    const pdus = await pdusForServer(ctx.db, version, roomId, origin, events);
    return { origin: ctx.config.serverName, origin_server_ts: ctx.now(), pdus };
  },
});
