// GET /_matrix/client/v3/user/{userId}/account_data/{type}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3useruseridaccount_datatype
import {
  type AccountDataParams,
  accountDataParams,
} from '../../../schemas/requests/account-data.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import {
  GLOBAL_ACCOUNT_DATA,
  getAccountData as readAccountData,
} from '../../storage/account-data.ts';
import { requireOwnAccountData } from './account-data-rules.ts';

export const getAccountData = defineEndpoint<Context, unknown, unknown, AccountDataParams>({
  method: 'GET',
  path: '/_matrix/client/v3/user/:userId/account_data/:type',
  schema: { params: accountDataParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { userId, type } = request.params;
    requireOwnAccountData(user.userId, userId);
    const content = await readAccountData(ctx.db, userId, GLOBAL_ACCOUNT_DATA, type);
    if (content === undefined) throw notFound('Account data not found');
    return content;
  },
});
