// GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3useruseridroomsroomidaccount_datatype
import {
  accountDataParams,
  type RoomAccountDataParams,
} from '../../../schemas/requests/account-data.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getAccountData } from '../../storage/account-data.ts';
import { requireOwnAccountData, requireRoomId } from './account-data-rules.ts';

export const getRoomAccountData = defineEndpoint<Context, unknown, unknown, RoomAccountDataParams>({
  method: 'GET',
  path: '/_matrix/client/v3/user/:userId/rooms/:roomId/account_data/:type',
  schema: { params: accountDataParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { userId, roomId, type } = request.params;
    requireOwnAccountData(user.userId, userId);
    requireRoomId(roomId);
    const content = await getAccountData(ctx.db, userId, roomId, type);
    if (content === undefined) throw notFound('Room account data not found');
    return content;
  },
});
