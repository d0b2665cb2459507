// POST /_matrix/client/v3/publicRooms
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3publicrooms
// Cairn has no application services, so there are no third-party networks: with
// include_all_networks the list is the same, and a third_party_instance_id matches nothing.

import { remotePublicRooms } from '../../../federation/queries/remote-public-rooms.ts';
import {
  type PublicRoomsBody,
  type PublicRoomsQueryString,
  publicRoomsBody,
  publicRoomsQuery,
} from '../../../schemas/requests/directory.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { listPublicRooms } from '../../rooms/list-public-rooms.ts';

export const postPublicRooms = defineEndpoint<Context, PublicRoomsBody, PublicRoomsQueryString>({
  method: 'POST',
  path: '/_matrix/client/v3/publicRooms',
  schema: { body: publicRoomsBody, querystring: publicRoomsQuery },
  handler: async (ctx, request) => {
    await requireUser(ctx, request);
    const body = request.body;
    const { server } = request.query;
    if (server !== undefined && server !== ctx.config.serverName) {
      return remotePublicRooms(ctx, server, { body: body as JsonObject });
    }
    if (body.third_party_instance_id !== undefined && !body.include_all_networks) {
      return { chunk: [], total_room_count_estimate: 0 };
    }
    return listPublicRooms(ctx.db, {
      limit: body.limit,
      since: body.since,
      searchTerm: body.filter?.generic_search_term,
      roomTypes: body.filter?.room_types,
    });
  },
});
