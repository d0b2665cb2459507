// PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3pushrulesglobalkindruleid
import {
  type PushRuleParams,
  pushRuleParams,
  type SetPushRuleBody,
  type SetPushRuleQuery,
  setPushRuleBody,
  setPushRuleQuery,
} from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { putPushRule } from '../../push/push-rule-set.ts';
import { editOwnPushRules } from './edit-own-push-rules.ts';

export const setPushRule = defineEndpoint<
  Context,
  SetPushRuleBody,
  SetPushRuleQuery,
  PushRuleParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/pushrules/global/:kind/:ruleId',
  schema: { body: setPushRuleBody, querystring: setPushRuleQuery, params: pushRuleParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { kind, ruleId } = request.params;
    const { before, after } = request.query;
    await editOwnPushRules(ctx, user.userId, (rules) =>
      putPushRule(rules, kind, ruleId, request.body, { before, after }),
    );
    return {};
  },
});
