// GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidcontexteventid
// The limit is shared: half before the event, the rest after. `state` is the state after the last
// event returned (only the senders' member events when lazy-loading), filtered like the events.
import { type ContextQuery, contextQuery } from '../../../schemas/requests/room-history.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { paginateRoom } from '../../rooms/paginate-room.ts';
import { senderMemberEventIds, stateAfterEvent } from '../../rooms/reader-state.ts';
import { matchesRoomEventFilter } from '../../rooms/room-event-filter.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { isEventVisible } from '../../rooms/visible-events.ts';
import { getEvent, getEvents } from '../../storage/events.ts';
import { loadIgnoredUsers } from '../../sync/ignored-users.ts';
import { formatPaginationToken } from '../../sync/pagination-token.ts';
import { filterParam, limitParam } from './pagination-params.ts';
import { requireRoomReader } from './room-access.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export const getEventContext = defineEndpoint<
  Context,
  unknown,
  ContextQuery,
  { roomId: string; eventId: string }
>({
  method: 'GET',
  path: '/_matrix/client/v3/rooms/:roomId/context/:eventId',
  schema: { querystring: contextQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, eventId } = request.params;
    const filter = filterParam(request.query.filter);
    const limit = limitParam(request.query.limit, DEFAULT_LIMIT, MAX_LIMIT);
    const reader = await requireRoomReader(ctx, roomId, user.userId);
    const event = await getEvent(ctx.db, eventId);
    if (!event || event.roomId !== roomId || !(await isEventVisible(ctx.db, reader, event))) {
      throw notFound('Event not found');
    }

    // The event asked for is served whoever sent it; those around it skip ignored users' events.
    const ignoredSenders = await loadIgnoredUsers(ctx.db, user.userId);
    const beforeLimit = Math.floor(limit / 2);
    const before = await paginateRoom(ctx.db, reader, {
      dir: 'b',
      from: event.streamOrdering - 1,
      to: undefined,
      limit: beforeLimit,
      filter,
      ignoredSenders,
    });
    const after = await paginateRoom(ctx.db, reader, {
      dir: 'f',
      from: event.streamOrdering,
      to: undefined,
      limit: limit - beforeLimit,
      filter,
      ignoredSenders,
    });

    const last = after.events.at(-1) ?? event;
    const stateIds = filter.lazy_load_members
      ? await senderMemberEventIds(ctx.db, [...before.events, event, ...after.events])
      : [...(await stateAfterEvent(ctx.db, last.eventId)).values()];
    const stateEvents = [...(await getEvents(ctx.db, stateIds)).values()].filter((stateEvent) =>
      matchesRoomEventFilter(filter, stateEvent),
    );

    const now = ctx.now();
    const options = { now, deviceId: user.deviceId };
    const [served] = await serveEvents(ctx.db, reader, [event], options);
    return {
      event: served,
      events_before: await serveEvents(ctx.db, reader, before.events, options),
      events_after: await serveEvents(ctx.db, reader, after.events, options),
      state: await serveEvents(ctx.db, reader, stateEvents, { now, aggregate: false }),
      start: formatPaginationToken(before.position),
      end: formatPaginationToken(after.position),
    };
  },
});
