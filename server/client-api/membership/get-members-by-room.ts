// GET /_matrix/client/v3/rooms/{roomId}/members
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidmembers
// `at` is a /sync or pagination token; one that is neither is ignored and current state used,
// as when `at` is absent (the spec makes it a point in time to look back to, not a filter).
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { toClientEvent } from '../../rooms/client-event.ts';
import { filterByMembership, memberEventsVisibleTo } from '../../rooms/room-members.ts';
import { loadRoomReader } from '../../rooms/room-reader.ts';
import { serveEvents } from '../../rooms/serve-events.ts';
import { parsePaginationToken } from '../../sync/pagination-token.ts';

const membership = { enum: ['join', 'invite', 'knock', 'leave', 'ban'] };

interface Query {
  at?: string;
  membership?: string;
  not_membership?: string;
}

export const getMembersByRoom = defineEndpoint<Context, unknown, Query, { roomId: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/rooms/:roomId/members',
  schema: {
    querystring: {
      type: 'object',
      properties: { at: { type: 'string' }, membership, not_membership: membership },
    },
  },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { at, membership, not_membership } = request.query;
    const events = await memberEventsVisibleTo(ctx.db, {
      roomId: request.params.roomId,
      userId: user.userId,
      atPosition: at === undefined ? undefined : parsePaginationToken(at),
    });
    const chosen = filterByMembership(events, { membership, notMembership: not_membership });
    // Served like every read path: redactions applied, `prev_content` on changed memberships.
    const reader = await loadRoomReader(ctx.db, request.params.roomId, user.userId);
    const now = ctx.now();
    const chunk = reader
      ? await serveEvents(ctx.db, reader, chosen, { now, aggregate: false })
      : chosen.map((event) => toClientEvent(event, now));
    return { chunk };
  },
});
