// Sending an event (message, state, redaction) counts against the sender's `messages` rate limit
// and their address's `messages_per_ip` one (server/http/rate-limits.ts). Over the limit, a retry
// of a transaction that already went through is answered with its event as before, not refused:
// the client may not have seen the first answer.
import type { Context } from '../../context.ts';
import { limitExceeded, messageLimits, takeForUser } from '../../http/rate-limits.ts';
import type { AuthenticatedUser } from '../../http/require-user.ts';
import { getEventIdForTxn } from '../../storage/events.ts';

/** Undefined to go ahead; the earlier event's id for a repeated transaction; else throws 429. */
export async function limitEventSend(
  ctx: Context,
  user: AuthenticatedUser,
  ip: string,
  txn?: { readonly scope: string; readonly txnId: string },
): Promise<string | undefined> {
  const verdict = takeForUser(messageLimits(ctx.rateLimits), user, ip, ctx.now());
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
