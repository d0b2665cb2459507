// PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidtypinguserid
import { type TypingBody, typingBody } from '../../../schemas/requests/receipts.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { requireJoined } from '../rooms/room-access.ts';

/** Without a timeout a user types for 30 s; no one types for more than 2 minutes unasked. */
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 120_000;

export const putTyping = defineEndpoint<
  Context,
  TypingBody,
  unknown,
  { roomId: string; userId: string }
>({
  method: 'PUT',
  path: '/_matrix/client/v3/rooms/:roomId/typing/:userId',
  schema: { body: typingBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, userId } = request.params;
    if (userId !== user.userId) throw forbidden('You can only set your own typing state');
    await requireJoined(ctx, roomId, userId);
    const { typing, timeout } = request.body;
    const timeoutMs = Math.min(timeout ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    ctx.typing.setTyping(roomId, userId, typing ? timeoutMs : undefined);
    return {};
  },
});
