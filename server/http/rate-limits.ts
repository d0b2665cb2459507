// The server's rate limits, one token bucket limiter per kind of action (rate-limiter.ts), sized
// by the `rate_limit_*` configuration keys. Over a limit, a request gets 429 M_LIMIT_EXCEEDED
// with `retry_after_ms` (and a Retry-After header: error-handler.ts) before it changes anything.
// https://spec.matrix.org/latest/client-server-api/#rate-limiting
//
// Keys: a user id for what an account does; the client's IP address for registration and login,
// where there is no account yet, and, more generously, for sends and media uploads of all accounts
// behind one address. Behind a reverse proxy the address is the proxy's, unless the proxy is listed
// in `trusted_proxies` (server/app.ts): then it is the client named by X-Forwarded-For.
//
// Application services (server/appservices/) act for many users at once: their requests are exempt
// from the per-user and per-IP limits (always for the sender, for masqueraded users when the
// registration says `rate_limited: false`), as AuthenticatedUser.rateLimited says.
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
    messagesPerIp: new TokenBucketLimiter(config.messagesPerIp),
    mediaUploadsPerIp: new TokenBucketLimiter(config.mediaUploadsPerIp),
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

/** Who acts: a user id, and whether limits apply to them (false for exempt app service users). */
export interface RateLimitedActor {
  readonly userId: string;
  readonly rateLimited: boolean;
}

/**
 * One action of `user` from address `ip`, against a per-user and a per-IP limiter. Both count it or
 * (over either limit) neither does, so a refusal by one does not spend the other's tokens; the
 * longer wait is the one reported. An exempt user counts against neither.
 */
export function takeForUser(
  limiters: { readonly perUser: TokenBucketLimiter; readonly perIp: TokenBucketLimiter },
  user: RateLimitedActor,
  ip: string,
  now: number,
): RateVerdict {
  if (!user.rateLimited) return { allowed: true };
  const byUser = limiters.perUser.check(user.userId, now);
  const byIp = limiters.perIp.check(ip, now);
  if (!byUser.allowed || !byIp.allowed) {
    const waits = [byUser, byIp].map((v) => (v.allowed ? 0 : v.retryAfterMs));
    return { allowed: false, retryAfterMs: Math.max(...waits) };
  }
  limiters.perUser.take(user.userId, now);
  limiters.perIp.take(ip, now);
  return byUser;
}

/** takeForUser, throwing 429 over a limit. */
export function takeForUserOrThrow(
  limiters: { readonly perUser: TokenBucketLimiter; readonly perIp: TokenBucketLimiter },
  user: RateLimitedActor,
  ip: string,
  now: number,
): void {
  requireAllowed(takeForUser(limiters, user, ip, now));
}

/** The messages limits (sends, room creation): per user and per address. */
export function messageLimits(limits: RateLimits) {
  return { perUser: limits.messages, perIp: limits.messagesPerIp };
}

/** The media upload limits: per user and per address. */
export function mediaUploadLimits(limits: RateLimits) {
  return { perUser: limits.mediaUploads, perIp: limits.mediaUploadsPerIp };
}

/** One action of `user` against a per-user limiter, unless the user is exempt; else throws 429. */
export function takeUnlessExempt(
  limiter: TokenBucketLimiter,
  user: RateLimitedActor,
  now: number,
): void {
  if (user.rateLimited) takeOrThrow(limiter, user.userId, now);
}
