// `roomIdOrAlias` of /join and /knock: a room id as given, or a local alias looked up. Aliases of
// other servers need a federation directory query, which comes with the federation API: until
// then they resolve to nothing (404).
// https://spec.matrix.org/latest/client-server-api/#room-aliases
import type { Kysely } from 'kysely';
import { parseRoomAlias } from '../core/room-alias.ts';
import { invalidParam, notFound } from '../http/matrix-error.ts';
import { getRoomAlias } from '../storage/room-aliases.ts';
import type { Database } from '../storage/schema.ts';

export async function resolveRoomIdOrAlias(
  db: Kysely<Database>,
  serverName: string,
  roomIdOrAlias: string,
): Promise<string> {
  if (roomIdOrAlias.startsWith('!')) return roomIdOrAlias;
  if (!roomIdOrAlias.startsWith('#')) {
    throw invalidParam(`${roomIdOrAlias} is neither a room id (!) nor a room alias (#)`);
  }
  return resolveRoomAlias(db, serverName, roomIdOrAlias);
}

export async function resolveRoomAlias(
  db: Kysely<Database>,
  serverName: string,
  alias: string,
): Promise<string> {
  const parsed = parseRoomAlias(alias);
  if (!parsed) throw invalidParam(`${alias} is not a valid room alias`);
  if (parsed.serverName !== serverName) {
    throw notFound(`Room alias ${alias} is on another server; remote aliases are not resolved yet`);
  }
  const found = await getRoomAlias(db, alias);
  if (!found) throw notFound(`Room alias ${alias} not found`);
  return found.roomId;
}
