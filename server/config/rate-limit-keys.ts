// The `rate_limit_<name>_per_second` and `rate_limit_<name>_burst` configuration keys, two per
// limit in RATE_LIMITS (server/http/rate-limits.ts keeps one token bucket limiter per limit).
import type { ConfigKey } from './config-keys.ts';

const perSecond = { type: 'number', minimum: 0 };
const burst = { type: 'integer', minimum: 1 };

// Token buckets (server/http/rate-limits.ts): `burst` actions at once, then `per_second`; a
// per_second of 0 turns the limit off. Defaults are Synapse's, which clients are used to.
export const RATE_LIMITS = [
  [
    'messages',
    0.2,
    10,
    'Sending events (messages, state, redactions) and creating rooms, per user',
  ],
  ['joins', 0.1, 10, 'Joining rooms, per user'],
  ['invites', 0.3, 10, 'Inviting users, per inviter'],
  ['login', 0.17, 3, 'Login attempts, per client IP address'],
  ['failed_login', 0.17, 3, 'Failed logins, per account'],
  ['registration', 0.17, 3, 'Account registrations, per client IP address'],
  ['media_uploads', 10, 50, 'Media uploads and asynchronous upload URIs (POST create), per user'],
  // Generous: many users can share one address (NAT, a company proxy); it stops one client that
  // spreads its sends over many accounts, not a busy office.
  [
    'messages_per_ip',
    10,
    100,
    'Sending events and creating rooms, per client IP address (all users behind it together)',
  ],
  [
    'media_uploads_per_ip',
    5,
    50,
    'Media uploads and asynchronous upload URIs, per client IP address (all users behind it together)',
  ],
  [
    'siwe_nonce',
    0.5,
    5,
    'Sign-In with Ethereum nonces issued (POST /_cairn/v1/siwe/nonce), per client IP address',
  ],
] as const;

export const RATE_LIMIT_KEYS: readonly ConfigKey[] = RATE_LIMITS.flatMap(
  ([name, rate, size, what]) => [
    {
      key: `rate_limit_${name}_per_second`,
      schema: perSecond,
      default: rate,
      description: `${what}: sustained actions per second (0: unlimited). Over the limit: 429 M_LIMIT_EXCEEDED.`,
    },
    {
      key: `rate_limit_${name}_burst`,
      schema: burst,
      default: size,
      description: `${what}: actions allowed at once before rate_limit_${name}_per_second applies.`,
    },
  ],
);
