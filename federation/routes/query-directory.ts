// GET /_matrix/federation/v1/query/directory?room_alias=
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1querydirectory
// The room an alias of this server maps to, with the servers in that room (ours first when we are
// in it, as Synapse lists them). An alias of another server, or one not mapped here, is 404; one
// that is no alias at all is 400 M_INVALID_PARAM.
import {
  type DirectoryQuery,
  directoryQuery,
} from '../../schemas/requests/federation-room-reads.ts';
import { parseRoomAlias } from '../../server/core/room-alias.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { invalidParam, notFound } from '../../server/http/matrix-error.ts';
import { getRoomAlias } from '../../server/storage/room-aliases.ts';
import { joinedServersOf } from '../../server/storage/room-servers.ts';
import type { FederationContext } from '../federation-context.ts';

export const queryDirectory = defineEndpoint<FederationContext, unknown, DirectoryQuery>({
  method: 'GET',
  path: '/_matrix/federation/v1/query/directory',
  schema: { querystring: directoryQuery },
  handler: async (ctx, request) => {
    const alias = request.query.room_alias;
    const parsed = parseRoomAlias(alias);
    if (!parsed) throw invalidParam(`${alias} is not a room alias`);
    const ourName = ctx.config.serverName;
    if (parsed.serverName !== ourName) throw notFound(`Room alias ${alias} is not on ${ourName}`);
    const mapping = await getRoomAlias(ctx.db, alias);
    if (!mapping) throw notFound(`Room alias ${alias} not found`);
    const servers = await joinedServersOf(ctx.db, mapping.roomId);
    const ordered = servers.includes(ourName)
      ? [ourName, ...servers.filter((server) => server !== ourName)]
      : servers;
    return { room_id: mapping.roomId, servers: ordered };
  },
});
