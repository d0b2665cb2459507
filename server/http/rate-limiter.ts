// A token bucket per key (a user id, an IP address): `burst` actions at once, then one every
// 1/perSecond seconds. Pure: the caller passes the time, so tests drive a clock of their own.
//
// State is in memory, per process. It stays bounded: a bucket that has refilled is the same as
// no bucket, so full buckets are dropped on a sweep at most every SWEEP_INTERVAL_MS, and past
// `maxKeys` the least recently used key is dropped (it only forgets a limit, never adds one).

export interface RateLimit {
  /** Refill rate; 0 turns the limit off. */
  readonly perSecond: number;
  /** Actions allowed at once, and the bucket's capacity. */
  readonly burst: number;
}

export type RateVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;
const DEFAULT_MAX_KEYS = 100_000;
const ALLOWED: RateVerdict = { allowed: true };

export class TokenBucketLimiter {
  readonly limit: RateLimit;
  readonly #maxKeys: number;
  /** In least recently used order: a touched key is moved to the end. */
  readonly #buckets = new Map<string, Bucket>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(limit: RateLimit, options: { maxKeys?: number } = {}) {
    this.limit = limit;
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  get enabled(): boolean {
    return this.limit.perSecond > 0 && this.limit.burst > 0;
  }

  /** How many keys hold state (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Whether `key` may act now, without counting an action. */
  check(key: string, now: number): RateVerdict {
    if (!this.enabled) return ALLOWED;
    const bucket = this.#buckets.get(key);
    return this.#verdict(bucket ? this.#tokensAt(bucket, now) : this.limit.burst);
  }

  /** Counts one action of `key` if it is allowed now; a refused one counts nothing. */
  take(key: string, now: number): RateVerdict {
    if (!this.enabled) return ALLOWED;
    this.#sweep(now);
    const existing = this.#buckets.get(key);
    const tokens = existing ? this.#tokensAt(existing, now) : this.limit.burst;
    const verdict = this.#verdict(tokens);
    if (!verdict.allowed) return verdict;
    this.#buckets.delete(key);
    this.#buckets.set(key, { tokens: tokens - 1, updatedAt: now });
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return verdict;
  }

  #tokensAt(bucket: Bucket, now: number): number {
    const elapsedMs = Math.max(0, now - bucket.updatedAt);
    return Math.min(this.limit.burst, bucket.tokens + (elapsedMs / 1000) * this.limit.perSecond);
  }

  #verdict(tokens: number): RateVerdict {
    if (tokens >= 1) return ALLOWED;
    return {
      allowed: false,
      retryAfterMs: Math.ceil(((1 - tokens) / this.limit.perSecond) * 1000),
    };
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (this.#tokensAt(bucket, now) >= this.limit.burst) this.#buckets.delete(key);
    }
  }
}
