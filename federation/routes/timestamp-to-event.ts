// GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=&dir=f|b
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid
// The room's event closest to `ts` in direction `dir`, from what this server has; 404 when there
// is none. The asking server must be in the room and allowed by its server ACL (403): Synapse
// checks only the ACL, but a server asks this about a room it is in, and outsiders are told
// nothing of a room's events.
import {
  type RoomIdParams,
  roomIdParams,
  type TimestampQuery,
  timestampQuery,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { notFound } from '../../server/http/matrix-error.ts';
import { findEventAtTimestamp } from '../../server/storage/event-at-timestamp.ts';
import type { FederationContext } from '../federation-context.ts';
import { requireRoomAccess } from '../rooms/server-access.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

export const timestampToEvent = defineEndpoint<
  FederationContext,
  unknown,
  TimestampQuery,
  RoomIdParams
>({
  method: 'GET',
  path: '/_matrix/federation/v1/timestamp_to_event/:roomId',
  schema: { params: roomIdParams, querystring: timestampQuery },
  handler: async (ctx, request) => {
    const { roomId } = request.params;
    await requireRoomAccess(ctx.db, roomId, federationOriginOf(request));
    const { ts, dir } = request.query;
    const found = await findEventAtTimestamp(ctx.db, roomId, ts, dir);
    if (!found) {
      const direction = dir === 'f' ? 'forward' : 'backward';
      throw notFound(`Unable to find event from ${ts} in ${direction} direction`);
    }
    return { event_id: found.eventId, origin_server_ts: found.originServerTs };
  },
});
