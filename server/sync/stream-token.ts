// The /sync token (`since`, `next_batch`): the position of every stream a sync covered.
//
//   s<events>[_<key><position>]...      e.g. `s1042`, `s1042_a17`
//
// `s<N>` is the events stream (`events.stream_ordering`), read the same way as a pagination token
// (pagination-token.ts): everything at or below N was covered. Each further stream is a lowercase
// key and a position: `a` account data (`account_data.stream_id`); later streams take new keys
// (receipts, typing, to-device, device lists, presence). A stream missing from a token is at 0,
// so tokens issued before a stream existed stay valid, and a stream at 0 is left out. Positions
// are database positions only, so tokens survive restarts. Unknown keys are accepted and ignored,
// for tokens issued by a newer version.
import { invalidParam } from '../http/matrix-error.ts';

/** Stream key -> position. `e` is the events stream. */
export type SyncPositions = Readonly<Record<string, number>>;

export const EVENTS_STREAM = 'e';
export const ACCOUNT_DATA_STREAM = 'a';

const TOKEN = /^s(\d{1,15})((?:_[a-z]{1,8}\d{1,15})*)$/;
const PART = /^([a-z]+)(\d+)$/;

export function positionOf(positions: SyncPositions, stream: string): number {
  return positions[stream] ?? 0;
}

export function formatSyncToken(positions: SyncPositions): string {
  const others = Object.entries(positions)
    .filter(([key, position]) => key !== EVENTS_STREAM && position > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, position]) => `_${key}${position}`);
  return `s${positionOf(positions, EVENTS_STREAM)}${others.join('')}`;
}

/**
 * Reads a token from `since`. A malformed one is 400 M_INVALID_PARAM: the spec names no error for
 * it, and M_INVALID_PARAM is its code for a bad parameter (Synapse answers 400 M_UNKNOWN).
 */
export function parseSyncToken(token: string): SyncPositions {
  const match = TOKEN.exec(token);
  if (!match) throw invalidParam(`Invalid since token: ${token.slice(0, 100)}`);
  const positions: Record<string, number> = { [EVENTS_STREAM]: Number(match[1]) };
  for (const part of match[2]!.split('_').slice(1)) {
    const [, key, digits] = PART.exec(part)!;
    if (key! in positions) throw invalidParam(`Invalid since token: ${key} given twice`);
    positions[key!] = Number(digits);
  }
  return positions;
}
