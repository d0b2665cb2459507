// Grammar of room aliases: `#localpart:server_name`, at most 255 bytes in all, the localpart
// anything but `:` and NUL. Pure.
// https://spec.matrix.org/latest/appendices/#room-aliases
import { isValidServerName, MAX_ID_BYTES, utf8ByteLength } from './auth-rules/identifiers.ts';

export interface ParsedRoomAlias {
  readonly alias: string;
  readonly localpart: string;
  readonly serverName: string;
}

export function parseRoomAlias(alias: unknown): ParsedRoomAlias | undefined {
  if (typeof alias !== 'string' || !alias.startsWith('#') || !alias.isWellFormed()) {
    return undefined;
  }
  if (utf8ByteLength(alias) > MAX_ID_BYTES) return undefined;
  const colon = alias.indexOf(':');
  if (colon < 0) return undefined;
  const localpart = alias.slice(1, colon);
  const serverName = alias.slice(colon + 1);
  if (localpart.includes('\u0000') || !isValidServerName(serverName)) return undefined;
  return { alias, localpart, serverName };
}

/**
 * Whether a client may pick this localpart for a new alias here. Stricter than the grammar,
 * which only has to accept aliases other servers made: an empty localpart or one with whitespace
 * or control characters makes an alias no one can type or read back.
 */
export function isAcceptableAliasLocalpart(localpart: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return localpart !== '' && !/[\s:\u0000-\u001f\u007f]/u.test(localpart);
}
