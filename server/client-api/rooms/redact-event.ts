// PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid
import { type RedactEventBody, redactEventBody } from '../../../schemas/requests/redact-event.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';
import { sendRedaction } from '../../rooms/send-redaction.ts';
import { requireVisibleEvent } from './room-access.ts';
import { limitEventSend } from './send-rate-limit.ts';
import { redactTxnScope } from './txn-scope.ts';

interface Params {
  roomId: string;
  eventId: string;
  txnId: string;
}

export const putRedactEvent = defineEndpoint<Context, RedactEventBody, unknown, Params>({
  method: 'PUT',
  path: '/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId',
  schema: { body: redactEventBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, eventId, txnId } = request.params;
    const scope = redactTxnScope(roomId, eventId);
    const earlier = await limitEventSend(ctx, user, { scope, txnId });
    if (earlier !== undefined) return { event_id: earlier };
    // Only an event the user can see can be redacted by them: otherwise it does not exist for them.
    const { event: target } = await requireVisibleEvent(ctx, roomId, eventId, user.userId);
    const redaction = await sendRedaction(roomDepsOf(ctx), {
      sender: user.userId,
      target,
      reason: request.body.reason,
      txn: { deviceId: user.deviceId, scope, txnId },
    });
    return { event_id: redaction.eventId };
  },
});
