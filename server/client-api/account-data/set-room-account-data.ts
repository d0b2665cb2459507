// PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3useruseridroomsroomidaccount_datatype
import {
  accountDataBody,
  accountDataParams,
  type RoomAccountDataParams,
} from '../../../schemas/requests/account-data.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { setAccountData } from '../../storage/account-data.ts';
import {
  requireClientWritableType,
  requireOwnAccountData,
  requireRoomId,
} from './account-data-rules.ts';

export const setRoomAccountData = defineEndpoint<
  Context,
  Record<string, unknown>,
  unknown,
  RoomAccountDataParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type',
  schema: { body: accountDataBody, params: accountDataParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { userId, roomId, type } = request.params;
    requireOwnAccountData(user.userId, userId);
    requireRoomId(roomId);
    requireClientWritableType(type);
    // Not checked: that the room exists or the user is in it. Synapse does not either, and a
    // client may set a tag on a room it is about to join.
    await setAccountData(ctx.db, { userId, roomId, type, content: request.body });
    ctx.sync.notifier.notify({ userIds: [userId] });
    return {};
  },
});
