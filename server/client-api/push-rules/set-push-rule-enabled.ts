// PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3pushrulesglobalkindruleidenabled
import {
  type PushRuleParams,
  pushRuleParams,
  type SetPushRuleEnabledBody,
  setPushRuleEnabledBody,
} from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { changePushRule } from '../../push/push-rule-set.ts';
import { editOwnPushRules } from './edit-own-push-rules.ts';
import { pushRuleNotFound } from './existing-push-rule.ts';

export const setPushRuleEnabled = defineEndpoint<
  Context,
  SetPushRuleEnabledBody,
  unknown,
  PushRuleParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/pushrules/global/:kind/:ruleId/enabled',
  schema: { body: setPushRuleEnabledBody, params: pushRuleParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { kind, ruleId } = request.params;
    const found = await editOwnPushRules(ctx, user.userId, (rules) =>
      changePushRule(rules, kind, ruleId, { enabled: request.body.enabled }),
    );
    if (!found) throw pushRuleNotFound();
    return {};
  },
});
