// The server's rate limits, one token bucket limiter per kind of action (rate-limiter.ts), sized
// by the `rate_limit_*` configuration keys. Over a limit, a request gets 429 M_LIMIT_EXCEEDED
// with `retry_after_ms` (and a Retry-After header: error-handler.ts) before it changes anything.
// https://spec.matrix.org/latest/client-server-api/#rate-limiting
//
// Keys: a user id for what an account does; the client's IP address for registration and login,
// where there is no account yet (behind a reverse proxy that is the proxy's address, unless the
// listener is told to trust X-Forwarded-For).
import type { RateLimitConfig } from '../config/load-config.ts';
import { MatrixError } from './matrix-error.ts';
import { type RateVerdict, TokenBucketLimiter } from './rate-limiter.ts';

export type RateLimits = { readonly [K in keyof RateLimitConfig]: TokenBucketLimiter };

export function createRateLimits(config: RateLimitConfig): RateLimits {
  return {
    messages: new TokenBucketLimiter(config.messages),
    joins: new TokenBucketLimiter(config.joins),
    invites: new TokenBucketLimiter(config.invites),
    login: new TokenBucketLimiter(config.login),
    failedLogin: new TokenBucketLimiter(config.failedLogin),
    registration: new TokenBucketLimiter(config.registration),
    mediaUploads: new TokenBucketLimiter(config.mediaUploads),
    siweNonce: new TokenBucketLimiter(config.siweNonce),
  };
}

export function limitExceeded(retryAfterMs: number): MatrixError {
  return new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too many requests', {
    retry_after_ms: retryAfterMs,
  });
}

/** Throws 429 unless the verdict allows the action. */
export function requireAllowed(verdict: RateVerdict): void {
  if (!verdict.allowed) throw limitExceeded(verdict.retryAfterMs);
}

/** Counts one action of `key` against `limiter`, or throws 429 if it is over the limit. */
export function takeOrThrow(limiter: TokenBucketLimiter, key: string, now: number): void {
  requireAllowed(limiter.take(key, now));
}
