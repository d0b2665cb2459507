// Whether an error means the database cannot be reached right now (PostgreSQL stopped,
// restarting, or the connection to it dropped), as opposed to a fault in a query or in Cairn.
// Such a request is answered 503 (the client should try again shortly) instead of 500, and the
// pool reconnects on its own once the server is back.

// SQLSTATEs of a server that is going away or not yet accepting: class 08 (connection
// exception), admin/crash shutdown, "the database system is starting up", and too many
// connections. https://www.postgresql.org/docs/current/errcodes-appendix.html
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// Socket errors on the way to the server (pg-pool rethrows the connect error as is).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// pg raises these as plain Errors with no code when a connection ends under it.
const CONNECTION_LOST = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  // A wrapper (ours or a library's) may hold the pg error as its cause.
  let cause = error;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') && code.length === 5) return true;
      if (UNAVAILABLE_SQLSTATES.has(code) || NETWORK_CODES.has(code)) return true;
    }
    const { message } = cause;
    if (CONNECTION_LOST.some((pattern) => pattern.test(message))) return true;
    cause = cause.cause;
  }
  return false;
}
