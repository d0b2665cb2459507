// PUT /_matrix/client/v3/user/{userId}/account_data/{type}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3useruseridaccount_datatype
import {
  type AccountDataParams,
  accountDataBody,
  accountDataParams,
} from '../../../schemas/requests/account-data.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import {
  GLOBAL_ACCOUNT_DATA,
  setAccountData as storeAccountData,
} from '../../storage/account-data.ts';
import {
  checkGlobalContent,
  requireClientWritableType,
  requireOwnAccountData,
} from './account-data-rules.ts';

export const setAccountData = defineEndpoint<
  Context,
  Record<string, unknown>,
  unknown,
  AccountDataParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/user/:userId/account_data/:type',
  schema: { body: accountDataBody, params: accountDataParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { userId, type } = request.params;
    requireOwnAccountData(user.userId, userId);
    requireClientWritableType(type);
    checkGlobalContent(type, request.body);
    await storeAccountData(ctx.db, {
      userId,
      roomId: GLOBAL_ACCOUNT_DATA,
      type,
      content: request.body,
    });
    ctx.sync.notifier.notify({ userIds: [userId] });
    return {};
  },
});
