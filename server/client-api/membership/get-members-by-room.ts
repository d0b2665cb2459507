// GET /_matrix/client/v3/rooms/{roomId}/members
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidmembers
// `at` is a /sync or pagination token; one that is neither is ignored and current state used,
// as when `at` is absent (the spec makes it a point in time to look back to, not a filter).
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { toClientEvent } from '../../rooms/client-event.ts';
import { filterByMembership, memberEventsVisibleTo } from '../../rooms/room-members.ts';
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
    return { chunk: chosen.map((event) => toClientEvent(event, ctx.now())) };
  },
});
