// m.room.server_acl: whether a server may take part in a room. The port is ignored; an IP literal
// is refused when allow_ip_literals is false; a deny glob wins over an allow glob; a server
// matching no allow glob is refused. Pure.
// https://spec.matrix.org/latest/client-server-api/#server-access-control-lists-acls-for-rooms
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { globMatches } from '../../server/push/glob-match.ts';
import { parseServerName } from '../transport/server-name.ts';

export function isServerAllowedByAcl(acl: JsonObject | undefined, serverName: string): boolean {
  if (!acl) return true;
  let host: string;
  let isIp: boolean;
  try {
    const parsed = parseServerName(serverName);
    isIp = parsed.ipVersion !== 0;
    host = parsed.ipVersion === 6 ? `[${parsed.hostname}]` : parsed.hostname;
  } catch {
    return false;
  }
  if (isIp && acl.allow_ip_literals === false) return false;
  const globs = (key: string) => {
    const list = acl[key];
    return Array.isArray(list)
      ? list.filter((each): each is string => typeof each === 'string')
      : [];
  };
  if (globs('deny').some((glob) => globMatches(glob, host, 'whole'))) return false;
  return globs('allow').some((glob) => globMatches(glob, host, 'whole'));
}

/** The content of a room's m.room.server_acl event, if it has one. */
export function aclContentOf(
  event: { readonly pdu: { readonly content?: unknown } } | undefined,
): JsonObject | undefined {
  const content = event?.pdu.content;
  return isJsonObject(content) ? content : undefined;
}
