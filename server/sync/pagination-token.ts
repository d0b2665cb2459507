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

const TOKEN = /^s(\d{1,15})(?:_[A-Za-z0-9_.~-]*)?$/;

export function formatPaginationToken(position: number): string {
  return `s${Math.max(0, position)}`;
}

/** The events stream position of a pagination or /sync token, or undefined if it is not one. */
export function parsePaginationToken(token: string): number | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const position = Number(match[1]);
  return Number.isSafeInteger(position) ? position : undefined;
}
