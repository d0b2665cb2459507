// POST /_matrix/client/v3/rooms/{roomId}/read_markers
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidread_markers
// Every event is checked before anything is written, so a bad one leaves all markers as they were.
import { type ReadMarkersBody, readMarkersBody } from '../../../schemas/requests/receipts.ts';
import type { Context } from '../../context.ts';
import { setFullyRead } from '../../ephemeral/set-read-marker.ts';
import { setReceipt, type WrittenReceipt } from '../../ephemeral/set-receipt.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { requireJoined, requireVisibleEvent } from '../rooms/room-access.ts';

export const postReadMarkers = defineEndpoint<
  Context,
  ReadMarkersBody,
  unknown,
  { roomId: string }
>({
  method: 'POST',
  path: '/_matrix/client/v3/rooms/:roomId/read_markers',
  schema: { body: readMarkersBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId } = request.params;
    const { userId } = user;
    await requireJoined(ctx, roomId, userId);
    const eventOf = async (eventId: string | undefined) =>
      eventId === undefined
        ? undefined
        : (await requireVisibleEvent(ctx, roomId, eventId, userId)).event;
    const fullyRead = await eventOf(request.body['m.fully_read']);
    const read = await eventOf(request.body['m.read']);
    const readPrivate = await eventOf(request.body['m.read.private']);

    const deps = {
      db: ctx.db,
      locks: ctx.roomLocks,
      now: ctx.now,
      onReceipt: (receipt: WrittenReceipt) => ctx.federation.outbound.receiptWritten(receipt),
    };
    const wakeRoom =
      read !== undefined &&
      (await setReceipt(deps, { userId, receiptType: 'm.read', event: read, threadId: undefined }));
    const movedPrivate =
      readPrivate !== undefined &&
      (await setReceipt(deps, {
        userId,
        receiptType: 'm.read.private',
        event: readPrivate,
        threadId: undefined,
      }));
    const movedMarker = fullyRead !== undefined && (await setFullyRead(ctx.db, userId, fullyRead));
    if (wakeRoom || movedPrivate || movedMarker) {
      ctx.sync.notifier.notify({ userIds: [userId], ...(wakeRoom ? { roomIds: [roomId] } : {}) });
    }
    return {};
  },
});
