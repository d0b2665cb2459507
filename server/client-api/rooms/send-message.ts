// PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid
import { eventContentBody } from '../../../schemas/requests/create-room.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { checkThreadRoot } from '../../rooms/check-thread-root.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';
import { sendLocalEvent } from '../../rooms/send-local-event.ts';
import { limitEventSend } from './send-rate-limit.ts';
import { sendTxnScope } from './txn-scope.ts';

interface Params {
  roomId: string;
  eventType: string;
  txnId: string;
}

export const putSendMessage = defineEndpoint<Context, JsonObject, unknown, Params>({
  method: 'PUT',
  path: '/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId',
  schema: { body: eventContentBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, eventType, txnId } = request.params;
    const scope = sendTxnScope(roomId, eventType);
    const earlier = await limitEventSend(ctx, user, request.ip, { scope, txnId });
    if (earlier !== undefined) return { event_id: earlier };
    await checkThreadRoot(ctx.db, roomId, request.body);
    const event = await sendLocalEvent(
      roomDepsOf(ctx),
      roomId,
      { type: eventType, sender: user.userId, content: request.body },
      { txn: { deviceId: user.deviceId, scope, txnId } },
    );
    return { event_id: event.eventId };
  },
});
