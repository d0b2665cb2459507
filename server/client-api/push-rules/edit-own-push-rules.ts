// Every push rule endpoint that changes a rule goes through here: the rules are stored as the
// user's `m.push_rules` account data, and like any account data change it must wake the user's
// waiting /sync requests, which would otherwise sleep through it until their timeout.
import type { Context } from '../../context.ts';
import type { PushRuleSet } from '../../push/push-rule-set.ts';
import { editPushRules } from '../../push/user-push-rules.ts';

/** False when `edit` found no such rule (nothing stored, nobody woken). */
export async function editOwnPushRules(
  ctx: Context,
  userId: string,
  edit: (rules: PushRuleSet) => PushRuleSet | undefined,
): Promise<boolean> {
  const changed = await editPushRules(ctx.db, userId, edit);
  if (changed) ctx.sync.notifier.notify({ userIds: [userId] });
  return changed;
}
