// Creating and deleting this server's room aliases. Only local aliases (`#x:<server_name>`) can
// be made or removed here; another server's aliases are that server's to manage.
// https://spec.matrix.org/latest/client-server-api/#room-aliases

import { contentOf } from '../core/auth-rules/pdu-fields.ts';
import type { JsonObject } from '../core/pdu.ts';
import { isAcceptableAliasLocalpart, parseRoomAlias } from '../core/room-alias.ts';
import { stateKey } from '../core/state-map.ts';
import { forbidden, invalidParam, MatrixError, notFound } from '../http/matrix-error.ts';
import { getCurrentState, getEvent, getMembership, getRoomVersionOf } from '../storage/events.ts';
import { createRoomAlias, deleteRoomAlias, getRoomAlias } from '../storage/room-aliases.ts';
import type { RoomDeps } from './room-deps.ts';
import { mayManageRoomDirectory } from './room-directory-rights.ts';
import { sendLocalEvent } from './send-local-event.ts';

interface AliasUser {
  readonly userId: string;
  readonly isAdmin: boolean;
}

/** The alias if it is well formed, on this server and of a localpart a client may choose. */
export function requireLocalAlias(serverName: string, alias: string): string {
  const parsed = parseRoomAlias(alias);
  if (!parsed || !isAcceptableAliasLocalpart(parsed.localpart)) {
    throw invalidParam(`${alias} is not a valid room alias`);
  }
  if (parsed.serverName !== serverName) {
    throw invalidParam(`Room alias ${alias} is not on this server (${serverName})`);
  }
  return alias;
}

export async function addRoomAlias(
  deps: RoomDeps,
  user: AliasUser,
  request: { alias: string; roomId: string },
): Promise<void> {
  const alias = requireLocalAlias(deps.serverName, request.alias);
  const { roomId } = request;
  if ((await getRoomVersionOf(deps.db, roomId)) === undefined) {
    throw notFound(`Room ${roomId} not found`);
  }
  // Anyone joined may add an alias (as in Synapse); deleting it takes more (see below).
  if (!user.isAdmin && (await getMembership(deps.db, roomId, user.userId)) !== 'join') {
    throw forbidden(`You are not in room ${roomId}`);
  }
  const created = await createRoomAlias(deps.db, {
    alias,
    roomId,
    creator: user.userId,
    now: deps.now(),
  });
  // The spec's 409 example carries M_UNKNOWN (createRoom has M_ROOM_IN_USE, with 400).
  if (!created) throw new MatrixError(409, 'M_UNKNOWN', `Room alias ${alias} already exists`);
}

export async function removeRoomAlias(
  deps: RoomDeps,
  user: AliasUser,
  alias: string,
): Promise<void> {
  requireLocalAlias(deps.serverName, alias);
  const mapping = await getRoomAlias(deps.db, alias);
  if (!mapping) throw notFound(`Room alias ${alias} not found`);
  const allowed =
    mapping.creator === user.userId ||
    (await mayManageRoomDirectory(deps.db, mapping.roomId, user));
  if (!allowed) throw forbidden(`You may not delete room alias ${alias}`);
  await deleteRoomAlias(deps.db, alias);
  await dropFromCanonicalAlias(deps, user.userId, mapping.roomId, alias);
}

// The spec recommends deleting the alias even when the user cannot update the room's
// m.room.canonical_alias event, so the rules refusing the update is not an error here: the
// event keeps listing an alias that no longer resolves, as after any alias drift.
async function dropFromCanonicalAlias(
  deps: RoomDeps,
  userId: string,
  roomId: string,
  alias: string,
): Promise<void> {
  const eventId = (await getCurrentState(deps.db, roomId)).get(
    stateKey('m.room.canonical_alias', ''),
  );
  const event = eventId === undefined ? undefined : await getEvent(deps.db, eventId);
  const content = contentOf(event?.pdu);
  const alt = Array.isArray(content.alt_aliases) ? content.alt_aliases : [];
  if (content.alias !== alias && !alt.includes(alias)) return;
  const updated: JsonObject = { ...content };
  if (content.alias === alias) delete updated.alias;
  if (Array.isArray(content.alt_aliases)) updated.alt_aliases = alt.filter((a) => a !== alias);
  try {
    await sendLocalEvent(deps, roomId, {
      type: 'm.room.canonical_alias',
      stateKey: '',
      sender: userId,
      content: updated,
    });
  } catch (err) {
    if (!(err instanceof MatrixError)) throw err;
  }
}
