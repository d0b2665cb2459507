// POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidreceiptreceipttypeeventid
// `m.fully_read` is the read marker (room account data), as the spec allows here.
import {
  type ReceiptBody,
  type ReceiptType,
  receiptBody,
  receiptParams,
} from '../../../schemas/requests/receipts.ts';
import type { Context } from '../../context.ts';
import { setFullyRead } from '../../ephemeral/set-read-marker.ts';
import { setReceipt, type WrittenReceipt } from '../../ephemeral/set-receipt.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { invalidParam } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { requireJoined, requireVisibleEvent } from '../rooms/room-access.ts';

interface Params {
  roomId: string;
  receiptType: ReceiptType;
  eventId: string;
}

export const postReceipt = defineEndpoint<Context, ReceiptBody, unknown, Params>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/receipt/:receiptType/:eventId',
  schema: { params: receiptParams, body: receiptBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, receiptType, eventId } = request.params;
    const threadId = request.body.thread_id;
    await requireJoined(ctx, roomId, user.userId);
    const { event } = await requireVisibleEvent(ctx, roomId, eventId, user.userId);
    if (receiptType === 'm.fully_read') {
      if (threadId !== undefined) throw invalidParam('m.fully_read takes no thread_id');
      if (await setFullyRead(ctx.db, user.userId, event)) {
        ctx.sync.notifier.notify({ userIds: [user.userId] });
      }
      return {};
    }
    const deps = {
      db: ctx.db,
      locks: ctx.roomLocks,
      now: ctx.now,
      onReceipt: (receipt: WrittenReceipt) => ctx.federation.outbound.receiptWritten(receipt),
    };
    if (await setReceipt(deps, { userId: user.userId, receiptType, event, threadId })) {
      // A private receipt concerns its owner only.
      ctx.sync.notifier.notify(
        receiptType === 'm.read' ? { roomIds: [roomId] } : { userIds: [user.userId] },
      );
    }
    return {};
  },
});
