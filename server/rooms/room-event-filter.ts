// Matching events against a RoomEventFilter (as /messages, /context and /sync take them). Pure.
// https://spec.matrix.org/latest/client-server-api/#filtering
import type { RoomEventFilter } from '../../schemas/requests/sync-filter.ts';
import type { Pdu } from '../core/pdu.ts';

export type { RoomEventFilter };

export function matchesRoomEventFilter(
  filter: RoomEventFilter,
  event: { readonly roomId: string; readonly pdu: Pdu },
): boolean {
  const { pdu } = event;
  if (filter.not_rooms?.includes(event.roomId)) return false;
  if (filter.rooms && !filter.rooms.includes(event.roomId)) return false;
  if (filter.not_senders?.includes(pdu.sender)) return false;
  if (filter.senders && !filter.senders.includes(pdu.sender)) return false;
  if (filter.not_types?.some((pattern) => typeMatches(pattern, pdu.type))) return false;
  if (filter.types && !filter.types.some((pattern) => typeMatches(pattern, pdu.type))) {
    return false;
  }
  if (filter.contains_url !== undefined) {
    const hasUrl = typeof pdu.content?.url === 'string';
    if (hasUrl !== filter.contains_url) return false;
  }
  return true;
}

/** Event type patterns may use `*` as a wildcard for any sequence of characters. */
export function typeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const parts = pattern.split('*');
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (!type.startsWith(first) || type.length < first.length + last.length) return false;
  if (!type.endsWith(last)) return false;
  let at = first.length;
  const end = type.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = type.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}
