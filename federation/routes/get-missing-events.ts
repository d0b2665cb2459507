// POST /_matrix/federation/v1/get_missing_events/{roomId}
// https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1get_missing_eventsroomid
// The events before `latest_events` the asking server lacks, oldest first
// (rooms/walk-prev-events.ts). The asking server must be in the room and allowed by its server
// ACL (403). Events it may not see under the room's history visibility come redacted.
import {
  type MissingEventsBody,
  missingEventsBody,
  type RoomIdParams,
  roomIdParams,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { pdusForServer } from '../rooms/events-for-server.ts';
import { requireRoomAccess } from '../rooms/server-access.ts';
import { walkMissingEvents } from '../rooms/walk-prev-events.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

const DEFAULT_LIMIT = 10;
/** Synapse serves at most 20: a server missing more gets the state instead (/state_ids). */
const MAX_LIMIT = 20;

export const getMissingEvents = defineEndpoint<
  FederationContext,
  MissingEventsBody,
  unknown,
  RoomIdParams
>({
  method: 'POST',
  path: '/_matrix/federation/v1/get_missing_events/:roomId',
  schema: { params: roomIdParams, body: missingEventsBody },
  handler: async (ctx, request) => {
    const origin = federationOriginOf(request);
    const { roomId } = request.params;
    const version = await requireRoomAccess(ctx.db, roomId, origin);
    const body = request.body;
    const events = await walkMissingEvents(ctx.db, roomId, {
      earliest: body.earliest_events,
      latest: body.latest_events,
      limit: Math.min(body.limit ?? DEFAULT_LIMIT, MAX_LIMIT),
      minDepth: body.min_depth ?? 0,
    });
    return { events: await pdusForServer(ctx.db, version, roomId, origin, events) };
  },
});
