// A room alias to a room id and servers to join through: our own aliases from the directory,
// another server's by asking it (GET /_matrix/federation/v1/query/directory).
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1querydirectory
import type { Context } from '../../server/context.ts';
import { isJsonObject } from '../../server/core/pdu.ts';
import { parseRoomAlias } from '../../server/core/room-alias.ts';
import { invalidParam, notFound } from '../../server/http/matrix-error.ts';
import { resolveRoomAlias } from '../../server/rooms/resolve-room.ts';
import { joinedServersOf } from '../../server/storage/room-servers.ts';
import { FederationHttpError } from '../transport/federation-client.ts';

export interface ResolvedAlias {
  readonly roomId: string;
  readonly servers: readonly string[];
}

export async function resolveAliasAnywhere(ctx: Context, alias: string): Promise<ResolvedAlias> {
  const parsed = parseRoomAlias(alias);
  if (!parsed) throw invalidParam(`${alias} is not a valid room alias`);
  const ours = ctx.config.serverName;
  if (parsed.serverName === ours) {
    const roomId = await resolveRoomAlias(ctx.db, ours, alias);
    const servers = await joinedServersOf(ctx.db, roomId);
    // Ours first: the one server sure to know the alias.
    return { roomId, servers: [ours, ...servers.filter((name) => name !== ours)] };
  }
  let body: unknown;
  try {
    body = (
      await ctx.federation.client.request(parsed.serverName, {
        method: 'GET',
        path: `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(alias)}`,
      })
    ).body;
  } catch (err) {
    if (err instanceof FederationHttpError && err.status === 404) {
      throw notFound(`Room alias ${alias} not found`);
    }
    throw notFound(`Room alias ${alias} could not be resolved: ${(err as Error).message}`);
  }
  if (!isJsonObject(body) || typeof body.room_id !== 'string') {
    throw notFound(`${parsed.serverName} gave no room for ${alias}`);
  }
  const servers = Array.isArray(body.servers)
    ? body.servers.filter((name): name is string => typeof name === 'string')
    : [];
  return { roomId: body.room_id, servers: [parsed.serverName, ...servers] };
}

/** A room id as given, or an alias resolved anywhere. */
export async function resolveRoomIdOrAliasAnywhere(
  ctx: Context,
  roomIdOrAlias: string,
): Promise<ResolvedAlias> {
  if (roomIdOrAlias.startsWith('!')) return { roomId: roomIdOrAlias, servers: [] };
  if (!roomIdOrAlias.startsWith('#')) {
    throw invalidParam(`${roomIdOrAlias} is neither a room id (!) nor a room alias (#)`);
  }
  return resolveAliasAnywhere(ctx, roomIdOrAlias);
}
