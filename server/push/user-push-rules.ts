// A user's push rules in storage: the `m.push_rules` global account data event, whose content is
// `{"global": <rule set>}`. Storing them as account data means every change reaches clients
// through /sync's account data stream, as the spec asks, with no stream of their own.
import type { Kysely } from 'kysely';
import { GLOBAL_ACCOUNT_DATA, getAccountData, setAccountData } from '../storage/account-data.ts';
import type { Database } from '../storage/schema.ts';
import { effectivePushRules, type PushRuleSet } from './push-rule-set.ts';

export const PUSH_RULES_TYPE = 'm.push_rules';

/** The user's rules in force; the server defaults for a user who never changed any. */
export async function getPushRules(db: Kysely<Database>, userId: string): Promise<PushRuleSet> {
  const stored = await getAccountData(db, userId, GLOBAL_ACCOUNT_DATA, PUSH_RULES_TYPE);
  const global = stored?.global as Partial<PushRuleSet> | undefined;
  return effectivePushRules(userId, global);
}

/**
 * Applies `edit` to the current rules and stores the result, unless it returns undefined (the
 * rule to edit does not exist). Edits of one user are serialised on their users row, so two
 * concurrent edits cannot lose one another.
 */
export async function editPushRules(
  db: Kysely<Database>,
  userId: string,
  edit: (rules: PushRuleSet) => PushRuleSet | undefined,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx
      .selectFrom('users')
      .select('user_id')
      .where('user_id', '=', userId)
      .forUpdate()
      .execute();
    const edited = edit(await getPushRules(trx, userId));
    if (!edited) return false;
    await setAccountData(trx, {
      userId,
      roomId: GLOBAL_ACCOUNT_DATA,
      type: PUSH_RULES_TYPE,
      content: { global: edited },
    });
    return true;
  });
}
