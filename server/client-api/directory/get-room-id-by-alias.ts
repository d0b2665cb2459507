// GET /_matrix/client/v3/directory/room/{roomAlias}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3directoryroomroomalias
// Needs no access token (the spec gives none). Another server's alias is 404 until federation
// directory queries exist.
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { resolveRoomAlias } from '../../rooms/resolve-room.ts';

export const getRoomIdByAlias = defineEndpoint<Context, unknown, unknown, { roomAlias: string }>({
  method: 'GET',
  path: '/_matrix/client/v3/directory/room/:roomAlias',
  handler: async (ctx, request) => {
    const serverName = ctx.config.serverName;
    const roomId = await resolveRoomAlias(ctx.db, serverName, request.params.roomAlias);
    return { room_id: roomId, servers: [serverName] };
  },
});
