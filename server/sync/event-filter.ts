// The event and room parts of a filter, as pure predicates. The timeline applies the same rules
// in SQL (storage/sync-timeline.ts), so a limit counts only matching events.
// https://spec.matrix.org/latest/client-server-api/#filtering
import type { EventFilter } from '../../schemas/requests/sync-filter.ts';

export interface FilterableEvent {
  readonly type: string;
  readonly sender: string;
}

/** Default `timeline.limit` (the spec leaves it to the server; Synapse uses 10 as well). */
export const DEFAULT_TIMELINE_LIMIT = 10;
/** Upper bound on a requested limit, so one request cannot ask for a whole room. */
export const MAX_TIMELINE_LIMIT = 1000;

export function timelineLimit(filter: EventFilter | undefined): number {
  const limit = filter?.limit ?? DEFAULT_TIMELINE_LIMIT;
  return Math.min(Math.max(0, limit), MAX_TIMELINE_LIMIT);
}

/** A `types` entry: `*` matches any run of characters, everything else itself. */
export function typePatternMatches(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(type);
}

export function matchesEventFilter(
  filter: EventFilter | undefined,
  event: FilterableEvent,
): boolean {
  if (!filter) return true;
  const { types, not_types, senders, not_senders } = filter;
  if (not_senders?.includes(event.sender)) return false;
  if (senders && !senders.includes(event.sender)) return false;
  if (not_types?.some((pattern) => typePatternMatches(pattern, event.type))) return false;
  if (types && !types.some((pattern) => typePatternMatches(pattern, event.type))) return false;
  return true;
}

/** `rooms` / `not_rooms`: `not_rooms` wins, an absent `rooms` allows every room. */
export function allowsRoom(
  filter:
    | { readonly rooms?: readonly string[]; readonly not_rooms?: readonly string[] }
    | undefined,
  roomId: string,
): boolean {
  if (!filter) return true;
  if (filter.not_rooms?.includes(roomId)) return false;
  return filter.rooms === undefined || filter.rooms.includes(roomId);
}
