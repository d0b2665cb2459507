// Rate limits off for test servers (in-process and as a process): test clients send far faster
// than people, and an in-process test's fixed clock never refills a bucket. A test of the limits
// sets its own CAIRN_RATE_LIMIT_* values over these. Every limit the server has, from its list.
import { RATE_LIMITS } from '../../server/config/rate-limit-keys.ts';

export const NO_RATE_LIMITS: NodeJS.ProcessEnv = Object.fromEntries(
  RATE_LIMITS.map(([name]) => [`CAIRN_RATE_LIMIT_${name.toUpperCase()}_PER_SECOND`, '0']),
);
