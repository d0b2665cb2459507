// Sending an event (message, state, redaction) counts against the sender's `messages` rate limit
// (server/http/rate-limits.ts). Over the limit, a retry of a transaction that already went through
// is answered with its event as before, not refused: the client may not have seen the first answer.
import type { Context } from '../../context.ts';
import { limitExceeded } from '../../http/rate-limits.ts';
import type { AuthenticatedUser } from '../../http/require-user.ts';
import { getEventIdForTxn } from '../../storage/events.ts';

/** Undefined to go ahead; the earlier event's id for a repeated transaction; else throws 429. */
export async function limitEventSend(
  ctx: Context,
  user: AuthenticatedUser,
  txn?: { readonly scope: string; readonly txnId: string },
): Promise<string | undefined> {
  const verdict = ctx.rateLimits.messages.take(user.userId, ctx.now());
  if (verdict.allowed) return undefined;
  if (txn !== undefined) {
    const earlier = await getEventIdForTxn(ctx.db, {
      userId: user.userId,
      deviceId: user.deviceId,
      ...txn,
    });
    if (earlier !== undefined) return earlier;
  }
  throw limitExceeded(verdict.retryAfterMs);
}
