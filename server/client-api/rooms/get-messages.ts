// GET /_matrix/client/v3/rooms/{roomId}/messages
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidmessages
// Tokens are events stream positions (server/sync/pagination-token.ts); a /sync token works too.
import { type MessagesQuery, messagesQuery } from '../../../schemas/requests/room-history.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { MatrixError } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { paginateRoom } from '../../rooms/paginate-room.ts';
import { senderMemberEventIds } from '../../rooms/reader-state.ts';
import { readLimitOf } from '../../rooms/room-reader.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { getEvents } from '../../storage/events.ts';
import { loadIgnoredUsers } from '../../sync/ignored-users.ts';
import { formatPaginationToken, TIMELINE_START } from '../../sync/pagination-token.ts';
import { filterParam, limitParam, tokenParam } from './pagination-params.ts';
import { requireRoomReader } from './room-access.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;

export const getMessages = defineEndpoint<Context, unknown, MessagesQuery, { roomId: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/rooms/:roomId/messages',
  schema: { querystring: messagesQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { query } = request;
    const filter = filterParam(query.filter);
    const from = tokenParam('from', query.from);
    const to = tokenParam('to', query.to);
    const limit = limitParam(query.limit ?? filter.limit, DEFAULT_LIMIT, MAX_LIMIT);
    const reader = await requireRoomReader(ctx, request.params.roomId, user.userId);
    const { dir } = query;
    if (dir === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: dir');

    // Without `from`, a backward walk starts at the newest position readers may trust (or where a
    // departed user's view ends), a forward one at the beginning.
    const start =
      from ??
      (dir === 'f'
        ? TIMELINE_START
        : (readLimitOf(reader) ?? (await ctx.eventStream.currentPosition(ctx.db))));
    const ignoredSenders = await loadIgnoredUsers(ctx.db, user.userId);
    const paginate = () =>
      paginateRoom(ctx.db, reader, { dir, from: start, to, limit, filter, ignoredSenders });
    let page = await paginate();
    // Past the oldest event this server has: ask the servers in the room for more (backfill),
    // then walk again.
    if (
      dir === 'b' &&
      page.exhausted &&
      page.events.length < limit &&
      to === undefined &&
      (await ctx.federation.backfill(reader.roomId, limit)) > 0
    ) {
      page = await paginate();
    }
    const now = ctx.now();
    const chunk = await serveEvents(ctx.db, reader, page.events, {
      now,
      deviceId: user.deviceId,
    });
    const members = filter.lazy_load_members
      ? await getEvents(ctx.db, await senderMemberEventIds(ctx.db, page.events))
      : new Map();
    const state = await serveEvents(ctx.db, reader, [...members.values()], { now });
    return {
      // The spec has `start` equal the `from` given, whatever form it took.
      start: query.from ?? formatPaginationToken(start),
      chunk,
      ...(page.exhausted ? {} : { end: formatPaginationToken(page.position) }),
      ...(state.length > 0 ? { state } : {}),
    };
  },
});
