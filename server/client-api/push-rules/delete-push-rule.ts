// DELETE /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3pushrulesglobalkindruleid
import { type PushRuleParams, pushRuleParams } from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deletePushRule as withoutRule } from '../../push/push-rule-set.ts';
import { editOwnPushRules } from './edit-own-push-rules.ts';
import { pushRuleNotFound } from './existing-push-rule.ts';

export const deletePushRule = defineEndpoint<Context, unknown, unknown, PushRuleParams>({
  method: 'DELETE',
  path: '/_matrix/client/v3/pushrules/global/:kind/:ruleId',
  schema: { params: pushRuleParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { kind, ruleId } = request.params;
    const found = await editOwnPushRules(ctx, user.userId, (rules) =>
      withoutRule(rules, kind, ruleId),
    );
    if (!found) throw pushRuleNotFound();
    return {};
  },
});
