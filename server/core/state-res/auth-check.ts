// The real authorisation rules as the AuthCheck state resolution takes. Kept apart so the
// algorithm can be unit-tested with a stub and the rules evolve without touching it.

import type { AuthOptions } from '../auth-rules/auth-types.ts';
import { checkEventAuth } from '../auth-rules/check-event-auth.ts';
import type { RoomVersion } from '../room-versions.ts';
import type { AuthCheck } from './types.ts';

/**
 * `options` must carry what the pure rules cannot know; in particular, without
 * `verifyThirdPartyInviteSignature` every third-party invite is refused during resolution.
 */
export function authCheckFor(version: RoomVersion, options: AuthOptions = {}): AuthCheck {
  return (event, state) => checkEventAuth(version, event, state, options).allowed;
}
