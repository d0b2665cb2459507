// GET /_matrix/client/v1/rooms/{roomId}/threads
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1roomsroomidthreads
// Thread roots, most recent reply first. `next_batch` is the stream position of the last root's
// latest reply, less one: the next page holds the threads whose activity is older.
import { type ThreadsQuery, threadsQuery } from '../../../schemas/requests/room-history.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { readLimitOf } from '../../rooms/room-reader.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { filterVisibleEvents } from '../../rooms/visible-events.ts';
import { listThreadRoots } from '../../storage/event-relations.ts';
import { getEvents } from '../../storage/events.ts';
import { formatPaginationToken } from '../../sync/pagination-token.ts';
import { limitParam, tokenParam } from './pagination-params.ts';
import { requireRoomReader } from './room-access.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export const getThreads = defineEndpoint<Context, unknown, ThreadsQuery, { roomId: string }>({
  method: 'GET',
  path: '/_matrix/client/v1/rooms/:roomId/threads',
  schema: { querystring: threadsQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { query } = request;
    const from = tokenParam('from', query.from);
    const limit = limitParam(query.limit, DEFAULT_LIMIT, MAX_LIMIT);
    const reader = await requireRoomReader(ctx, request.params.roomId, user.userId);
    const rows = await listThreadRoots(ctx.db, {
      roomId: reader.roomId,
      participant: query.include === 'participated' ? user.userId : undefined,
      readLimit: readLimitOf(reader),
      upTo: from,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const roots = await getEvents(
      ctx.db,
      page.map((row) => row.rootId),
    );
    const visible = await filterVisibleEvents(
      ctx.db,
      reader,
      page.flatMap((row) => roots.get(row.rootId) ?? []),
    );
    const last = page.at(-1);
    return {
      chunk: await serveEvents(ctx.db, reader, visible, {
        now: ctx.now(),
        deviceId: user.deviceId,
      }),
      ...(rows.length > limit && last
        ? { next_batch: formatPaginationToken(last.latest - 1) }
        : {}),
    };
  },
});
