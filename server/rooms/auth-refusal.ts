// How the room engine's refusal of a local user's event reaches the client: 403 M_FORBIDDEN when
// the sender may not send it, 400 M_BAD_JSON when no sender could (its content is refused as
// such: denyMalformed in core/auth-rules/auth-types.ts).
import type { AuthResult } from '../core/auth-rules/auth-types.ts';
import { forbidden, MatrixError } from '../http/matrix-error.ts';

export function authRefusal(verdict: AuthResult & { allowed: false }): MatrixError {
  return verdict.malformed
    ? new MatrixError(400, 'M_BAD_JSON', verdict.reason)
    : forbidden(verdict.reason);
}
