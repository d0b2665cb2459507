// PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3pushrulesglobalkindruleidactions
import {
  type PushRuleParams,
  pushRuleParams,
  type SetPushRuleActionsBody,
  setPushRuleActionsBody,
} from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { changePushRule } from '../../push/push-rule-set.ts';
import { editOwnPushRules } from './edit-own-push-rules.ts';
import { pushRuleNotFound } from './existing-push-rule.ts';

// Works on server-default rules too: that is how a client silences, say, `.m.rule.message`.
export const setPushRuleActions = defineEndpoint<
  Context,
  SetPushRuleActionsBody,
  unknown,
  PushRuleParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/pushrules/global/:kind/:ruleId/actions',
  schema: { body: setPushRuleActionsBody, params: pushRuleParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { kind, ruleId } = request.params;
    const found = await editOwnPushRules(ctx, user.userId, (rules) =>
      changePushRule(rules, kind, ruleId, { actions: request.body.actions }),
    );
    if (!found) throw pushRuleNotFound();
    return {};
  },
});
