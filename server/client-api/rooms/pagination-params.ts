// The query parameters the paginated room endpoints share: tokens, limits and an inline filter.
// Bad values are 400 M_INVALID_PARAM, never a 500 further down.
import { Ajv } from 'ajv';
import { syncFilter } from '../../../schemas/requests/sync-filter.ts';
import { invalidParam } from '../../http/matrix-error.ts';
import type { RoomEventFilter } from '../../rooms/room-event-filter.ts';
import { parsePaginationToken } from '../../sync/pagination-token.ts';

const validateFilter = new Ajv({ strict: false }).compile<RoomEventFilter>(
  syncFilter.properties.room.properties.timeline,
);

export function tokenParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const position = parsePaginationToken(value);
  if (position === undefined) throw invalidParam(`${name} is not a pagination token`);
  return position;
}

/** `limit` or the default, capped at `max`. */
export function limitParam(value: number | undefined, fallback: number, max: number): number {
  return Math.min(value ?? fallback, max);
}

/** The RoomEventFilter given as JSON in the `filter` parameter (an empty filter when absent). */
export function filterParam(value: string | undefined): RoomEventFilter {
  if (value === undefined || value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParam('filter is not JSON');
  }
  if (!validateFilter(parsed)) {
    const first = validateFilter.errors?.[0];
    throw invalidParam(`filter${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`);
  }
  return parsed;
}
