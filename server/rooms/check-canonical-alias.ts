// What the client API checks of an m.room.canonical_alias event before sending it: every alias
// it newly lists is well formed (M_INVALID_PARAM) and points to this room (M_BAD_ALIAS). Aliases
// already in the current event are not checked again, so removing a stale one always works.
// Aliases of other servers cannot be looked up until federation queries exist, so a new one is
// refused as not pointing here.
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidstateeventtypestatekey
import type { Kysely } from 'kysely';
import { contentOf } from '../core/auth-rules/pdu-fields.ts';
import type { JsonObject, JsonValue } from '../core/pdu.ts';
import { parseRoomAlias } from '../core/room-alias.ts';
import { stateKey } from '../core/state-map.ts';
import { invalidParam, MatrixError } from '../http/matrix-error.ts';
import { getCurrentState, getEvent } from '../storage/events.ts';
import { getRoomAlias } from '../storage/room-aliases.ts';
import type { Database } from '../storage/schema.ts';

export async function checkCanonicalAliasContent(
  db: Kysely<Database>,
  serverName: string,
  roomId: string,
  content: JsonObject,
): Promise<void> {
  const listed = aliasesOf(content, true);
  if (listed.length === 0) return;
  const currentId = (await getCurrentState(db, roomId)).get(stateKey('m.room.canonical_alias', ''));
  const current = currentId === undefined ? undefined : await getEvent(db, currentId);
  const known = new Set(aliasesOf(contentOf(current?.pdu), false));
  for (const alias of listed) {
    if (known.has(alias)) continue;
    const parsed = parseRoomAlias(alias);
    if (!parsed) throw invalidParam(`${alias} is not a valid room alias`);
    const mapping = parsed.serverName === serverName ? await getRoomAlias(db, alias) : undefined;
    if (mapping?.roomId !== roomId) {
      throw new MatrixError(400, 'M_BAD_ALIAS', `The alias ${alias} does not point to this room`);
    }
  }
}

/** `alias` (absent, null or "" meaning none) and `alt_aliases`; with `strict`, wrong shapes throw. */
function aliasesOf(content: JsonObject, strict: boolean): string[] {
  const aliases: string[] = [];
  const { alias, alt_aliases: alt } = content;
  if (typeof alias === 'string' && alias !== '') aliases.push(alias);
  else if (strict && alias !== undefined && alias !== null && alias !== '') {
    throw invalidParam('alias must be a string');
  }
  if (Array.isArray(alt)) {
    for (const entry of alt as JsonValue[]) {
      if (typeof entry === 'string') aliases.push(entry);
      else if (strict) throw invalidParam('alt_aliases must be a list of room aliases');
    }
  } else if (strict && alt !== undefined) {
    throw invalidParam('alt_aliases must be a list of room aliases');
  }
  return aliases;
}
