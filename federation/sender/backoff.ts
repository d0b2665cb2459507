// How long a destination is left alone after failed attempts: the first wait, doubling with each
// failure in a row, capped. The spec asks senders to back off from unreachable servers; the
// numbers follow Synapse's order of magnitude (seconds at first, at most an hour).
// https://spec.matrix.org/latest/server-server-api/#transactions

export interface BackoffSettings {
  /** The wait after the first failure. */
  readonly initialMs: number;
  /** No wait is longer. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 5_000, maxMs: 60 * 60_000 };

/** The wait after `failures` failed attempts in a row (at least 1). */
export function retryDelayMs(failures: number, settings: BackoffSettings): number {
  const doublings = Math.max(0, failures - 1);
  // 2^31 is far past any cap; the bound keeps the arithmetic finite.
  const delay = settings.initialMs * 2 ** Math.min(doublings, 31);
  return Math.min(delay, settings.maxMs);
}
