// GET and POST /_matrix/federation/v1/publicRooms
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1publicrooms
// https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1publicrooms
// This server's own published room directory, as the client API serves it
// (server/rooms/list-public-rooms.ts). A limit of 0 is no limit, as the spec has it for GET and
// Synapse for both. Cairn has no application services, so no third-party networks: a
// third_party_instance_id without include_all_networks matches nothing.
import { type PublicRoomsBody, publicRoomsBody } from '../../schemas/requests/directory.ts';
import {
  type FederationPublicRoomsQuery,
  federationPublicRoomsQuery,
} from '../../schemas/requests/federation-room-reads.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { listPublicRooms, type PublicRoomsPage } from '../../server/rooms/list-public-rooms.ts';
import type { FederationContext } from '../federation-context.ts';

const NO_ROOMS: PublicRoomsPage = { chunk: [], total_room_count_estimate: 0 };

export const getFederationPublicRooms = defineEndpoint<
  FederationContext,
  unknown,
  FederationPublicRoomsQuery
>({
  method: 'GET',
  path: '/_matrix/federation/v1/publicRooms',
  schema: { querystring: federationPublicRoomsQuery },
  handler: (ctx, request) => {
    const query = request.query;
    if (query.third_party_instance_id !== undefined && !query.include_all_networks) {
      return NO_ROOMS;
    }
    return listPublicRooms(ctx.db, { limit: query.limit || undefined, since: query.since });
  },
});

export const postFederationPublicRooms = defineEndpoint<FederationContext, PublicRoomsBody>({
  method: 'POST',
  path: '/_matrix/federation/v1/publicRooms',
  schema: { body: publicRoomsBody },
  handler: (ctx, request) => {
    const body = request.body;
    if (body.third_party_instance_id !== undefined && !body.include_all_networks) {
      return NO_ROOMS;
    }
    return listPublicRooms(ctx.db, {
      limit: body.limit || undefined,
      since: body.since,
      searchTerm: body.filter?.generic_search_term,
      roomTypes: body.filter?.room_types,
    });
  },
});
