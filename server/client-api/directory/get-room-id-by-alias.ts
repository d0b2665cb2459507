// GET /_matrix/client/v3/directory/room/{roomAlias}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3directoryroomroomalias
// Needs no access token (the spec gives none). Another server's alias is asked of that server.

import { resolveAliasAnywhere } from '../../../federation/rooms/resolve-alias-anywhere.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';

export const getRoomIdByAlias = defineEndpoint<Context, unknown, unknown, { roomAlias: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/directory/room/:roomAlias',
  handler: async (ctx, request) => {
    const { roomId, servers } = await resolveAliasAnywhere(ctx, request.params.roomAlias);
    return { room_id: roomId, servers };
  },
});
