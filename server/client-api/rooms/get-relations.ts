// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}
// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1roomsroomidrelationseventid
// `recurse` follows relations RECURSION_DEPTH levels deep, each level matching the filters.
import { type RelationsQuery, relationsQuery } from '../../../schemas/requests/room-history.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { listRelations } from '../../rooms/list-relations.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { formatPaginationToken } from '../../sync/pagination-token.ts';
import { limitParam, tokenParam } from './pagination-params.ts';
import { requireVisibleEvent } from './room-access.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
/** The spec asks for at least 3 levels when recursing. */
const RECURSION_DEPTH = 3;

interface Params {
  roomId: string;
  eventId: string;
  relType?: string;
  eventType?: string;
}

function getRelationsAt(path: string) {
  return defineEndpoint<Context, unknown, RelationsQuery, Params>({
    method: 'GET',
    path,
    schema: { querystring: relationsQuery },
    handler: async (ctx, request) => {
      const user = await requireUser(ctx, request);
      const { roomId, eventId, relType, eventType } = request.params;
      const { query } = request;
      const from = tokenParam('from', query.from);
      const to = tokenParam('to', query.to);
      const { reader } = await requireVisibleEvent(ctx, roomId, eventId, user.userId);
      const depth = query.recurse ? RECURSION_DEPTH : 1;
      const page = await listRelations(ctx.db, reader, {
        parentId: eventId,
        relType,
        eventType,
        dir: query.dir ?? 'b',
        from,
        to,
        limit: limitParam(query.limit, DEFAULT_LIMIT, MAX_LIMIT),
        depth,
      });
      return {
        chunk: await serveEvents(ctx.db, reader, page.events, {
          now: ctx.now(),
          deviceId: user.deviceId,
        }),
        ...(page.next === undefined ? {} : { next_batch: formatPaginationToken(page.next) }),
        ...(query.from === undefined ? {} : { prev_batch: query.from }),
        ...(query.recurse === undefined ? {} : { recursion_depth: depth }),
      };
    },
  });
}

export const getRelationsEndpoints = [
  getRelationsAt('/_matrix/client/v1/rooms/:roomId/relations/:eventId'),
  getRelationsAt('/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType'),
  getRelationsAt('/_matrix/client/v1/rooms/:roomId/relations/:eventId/:relType/:eventType'),
];
