// Pagination tokens for /messages, /context, /relations and /threads, and how they read a /sync
// token. A token names a position in the events stream (`events.stream_ordering`): `s<N>` is the
// boundary just after the event with stream_ordering N, so "before s<N>" is every event with
// stream_ordering <= N and "after s<N>" every event with stream_ordering > N.
//
// /sync tokens are read here too (the spec lets /messages start from a `prev_batch` or
// `next_batch`): a sync token starts with the same `s<N>` and may carry the positions of other
// streams after an underscore (`s<N>_<...>`), which pagination ignores. Stream order is arrival
// order at this server; for the events this server creates it is also topological order.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidmessages

// Events fetched from other servers' history (backfill) take positions below 0, older ones lower,
// so they never appear as new to /sync; `m<N>` names position -N.
const TOKEN = /^(s|m)(\d{1,16})(?:_[A-Za-z0-9_.~-]*)?$/;

/** Below every position, backfilled ones included: the start of any timeline. */
export const TIMELINE_START = -(2 ** 52);

export function formatPaginationToken(position: number): string {
  const at = Math.max(TIMELINE_START, position);
  return at < 0 ? `m${-at}` : `s${at}`;
}

/** The events stream position of a pagination or /sync token, or undefined if it is not one. */
export function parsePaginationToken(token: string): number | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const magnitude = Number(match[2]);
  if (!Number.isSafeInteger(magnitude) || magnitude > -TIMELINE_START) return undefined;
  return match[1] === 'm' ? -magnitude : magnitude;
}
