// GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3pushrulesglobalkindruleidactions
import { type PushRuleParams, pushRuleParams } from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { existingPushRule } from './existing-push-rule.ts';

export const getPushRuleActions = defineEndpoint<Context, unknown, unknown, PushRuleParams>({
  method: 'GET',
  path: '/_matrix/client/v3/pushrules/global/:kind/:ruleId/actions',
  schema: { params: pushRuleParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return { actions: (await existingPushRule(ctx, user.userId, request.params)).actions };
  },
});
