// Grammar of the identifiers the auth rules look inside: user ids and server names.
// https://spec.matrix.org/latest/appendices/#identifier-grammar
//
// User id localparts follow the historical grammar (anything but `:` and NUL, even empty): the
// spec says servers MUST accept such senders over federation, so rejecting them here would split
// rooms that already contain them. Server names are checked strictly, because an event whose
// sender's server name cannot be resolved can never have had its signature checked.

const ENCODER = new TextEncoder();

/** Longest user id, room id, event id, `type` and `state_key`, in UTF-8 bytes. */
export const MAX_ID_BYTES = 255;

export function utf8ByteLength(text: string): number {
  return ENCODER.encode(text).length;
}

// hostname = IPv4address / "[" IPv6address "]" / dns-name, then an optional port of 1 to 5
// digits. An IPv4 literal is also a valid dns-name, so one class covers both.
const SERVER_NAME = /^(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,255})(?::[0-9]{1,5})?$/;

export function isValidServerName(name: string): boolean {
  return SERVER_NAME.test(name);
}

/** The part after the first `:` (server names may contain `:` themselves), or undefined. */
export function serverNameOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const colon = id.indexOf(':');
  return colon < 0 ? undefined : id.slice(colon + 1);
}

export function isValidUserId(id: unknown): id is string {
  if (typeof id !== 'string' || !id.startsWith('@') || !id.isWellFormed()) return false;
  if (utf8ByteLength(id) > MAX_ID_BYTES) return false;
  const colon = id.indexOf(':');
  if (colon < 0) return false;
  if (id.slice(1, colon).includes('\u0000')) return false;
  return isValidServerName(id.slice(colon + 1));
}
