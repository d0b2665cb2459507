// GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3pushrulesglobalkindruleid
import { type PushRuleParams, pushRuleParams } from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { existingPushRule } from './existing-push-rule.ts';

export const getPushRule = defineEndpoint<Context, unknown, unknown, PushRuleParams>({
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/:kind/:ruleId',
  schema: { params: pushRuleParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return existingPushRule(ctx, user.userId, request.params);
  },
});
