// GET /_matrix/client/v3/publicRooms
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3publicrooms
// Needs no access token (the spec gives none): the directory is what a server shows anyone.
import {
  type PublicRoomsQueryString,
  publicRoomsQuery,
} from '../../../schemas/requests/directory.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { listPublicRooms, requireLocalDirectory } from '../../rooms/list-public-rooms.ts';

export const getPublicRooms = defineEndpoint<Context, unknown, PublicRoomsQueryString>({
  method: 'GET',
  path: '/_matrix/client/v3/publicRooms',
  schema: { querystring: publicRoomsQuery },
  handler: async (ctx, request) => {
    const { limit, since, server } = request.query;
    requireLocalDirectory(ctx.config.serverName, server);
    return listPublicRooms(ctx.db, { limit, since });
  },
});
