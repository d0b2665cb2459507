// PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid
import { type RedactEventBody, redactEventBody } from '../../../schemas/requests/redact-event.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';
import { loadRoomReader } from '../../rooms/room-reader.ts';
import { sendRedaction } from '../../rooms/send-redaction.ts';
import { getEvent } from '../../storage/events.ts';
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
    const earlier = await limitEventSend(ctx, user, request.ip, { scope, txnId });
    if (earlier !== undefined) return { event_id: earlier };
    const redaction = await sendRedaction(roomDepsOf(ctx), {
      sender: user.userId,
      target: await redactionTarget(ctx, roomId, eventId, user.userId),
      reason: request.body.reason,
      txn: { deviceId: user.deviceId, scope, txnId },
    });
    return { event_id: redaction.eventId };
  },
});

/**
 * An event of the room the user can see: otherwise it does not exist for them (404). An event
 * this server does not have at all (not yet backfilled, say) may still be redacted by a member
 * of the room, as Synapse allows: its sender is unknown, so the `redact` level is needed.
 */
async function redactionTarget(ctx: Context, roomId: string, eventId: string, userId: string) {
  if (await getEvent(ctx.db, eventId)) {
    const { event } = await requireVisibleEvent(ctx, roomId, eventId, userId);
    return { roomId, eventId, sender: event.pdu.sender };
  }
  if (!(await loadRoomReader(ctx.db, roomId, userId))) throw notFound('Event not found');
  return { roomId, eventId };
}
