// Reading one push rule, shared by the GET endpoints on a rule.
import type { PushRuleParams } from '../../../schemas/requests/push-rules.ts';
import type { Context } from '../../context.ts';
import { notFound } from '../../http/matrix-error.ts';
import { findPushRule, type PushRule } from '../../push/push-rule-set.ts';
import { getPushRules } from '../../push/user-push-rules.ts';

export async function existingPushRule(
  ctx: Context,
  userId: string,
  params: PushRuleParams,
): Promise<PushRule> {
  const rule = findPushRule(await getPushRules(ctx.db, userId), params.kind, params.ruleId);
  if (!rule) throw pushRuleNotFound();
  return rule;
}

export const pushRuleNotFound = () => notFound('The push rule was not found');
