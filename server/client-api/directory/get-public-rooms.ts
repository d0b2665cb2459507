// GET /_matrix/client/v3/publicRooms
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3publicrooms
// Needs no access token (the spec gives none): the directory is what a server shows anyone.
// `server` other than ours: that server's directory, over federation.

import { remotePublicRooms } from '../../../federation/queries/remote-public-rooms.ts';
import {
  type PublicRoomsQueryString,
  publicRoomsQuery,
} from '../../../schemas/requests/directory.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { listPublicRooms } from '../../rooms/list-public-rooms.ts';

export const getPublicRooms = defineEndpoint<Context, unknown, PublicRoomsQueryString>({
  method: 'GET',
  path: '/_matrix/client/v3/publicRooms',
  schema: { querystring: publicRoomsQuery },
  handler: async (ctx, request) => {
    const { limit, since, server } = request.query;
    if (server !== undefined && server !== ctx.config.serverName) {
      return remotePublicRooms(ctx, server, { limit, since });
    }
    return listPublicRooms(ctx.db, { limit, since });
  },
});
