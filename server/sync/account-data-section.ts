// Account data for a sync: global entries (top-level `account_data`) and per-room entries (under
// each room), written after the token's account data position, filtered. `m.push_rules` is the
// rule set in force, and an initial sync always has it.
//
// The position a response covers is the highest stream id among the user's own rows it read (or
// the token's). A global maximum could pass a lower id of this user still being written, which
// would then never be returned; the user's own rows are written one request at a time in practice.
// https://spec.matrix.org/latest/client-server-api/#client-config
import type { Kysely } from 'kysely';
import type { SyncFilter } from '../../schemas/requests/sync-filter.ts';
import type { JsonObject } from '../core/pdu.ts';
import { effectivePushRules, type PushRuleSet } from '../push/push-rule-set.ts';
import { PUSH_RULES_TYPE } from '../push/user-push-rules.ts';
import { GLOBAL_ACCOUNT_DATA, getAccountDataChanges } from '../storage/account-data.ts';
import type { Database } from '../storage/schema.ts';
import { allowsRoom, matchesEventFilter } from './event-filter.ts';

export interface AccountDataUpdate {
  readonly global: JsonObject[];
  /** Room id -> entries, for rooms the filter allows. */
  readonly rooms: Map<string, JsonObject[]>;
  readonly position: number;
}

export async function loadAccountDataUpdate(
  db: Kysely<Database>,
  userId: string,
  since: number | undefined,
  filter: SyncFilter,
): Promise<AccountDataUpdate> {
  const changes = await getAccountDataChanges(db, userId, since ?? 0);
  const position = Math.max(since ?? 0, ...changes.map((change) => change.streamId));
  const global: JsonObject[] = [];
  const rooms = new Map<string, JsonObject[]>();
  const roomFilter = filter.room?.account_data;
  for (const change of changes) {
    const event = { type: change.type, content: change.content as JsonObject };
    const facts = { type: change.type, sender: userId };
    if (change.roomId === GLOBAL_ACCOUNT_DATA) {
      if (change.type === PUSH_RULES_TYPE) event.content = pushRulesContent(userId, event.content);
      if (matchesEventFilter(filter.account_data, facts)) global.push(event);
    } else if (
      allowsRoom(filter.room, change.roomId) &&
      allowsRoom(roomFilter, change.roomId) &&
      matchesEventFilter(roomFilter, facts)
    ) {
      const list = rooms.get(change.roomId) ?? [];
      list.push(event);
      rooms.set(change.roomId, list);
    }
  }
  // A user who never changed a rule has no stored m.push_rules, but clients read their rules
  // from the initial sync (Synapse always sends them): the defaults are sent instead.
  if (
    since === undefined &&
    !global.some((event) => event.type === PUSH_RULES_TYPE) &&
    matchesEventFilter(filter.account_data, { type: PUSH_RULES_TYPE, sender: userId })
  ) {
    global.push({ type: PUSH_RULES_TYPE, content: pushRulesContent(userId, undefined) });
  }
  const globalLimit = filter.account_data?.limit;
  const roomLimit = roomFilter?.limit;
  if (roomLimit !== undefined)
    for (const [id, list] of rooms) rooms.set(id, list.slice(0, roomLimit));
  return {
    global: globalLimit === undefined ? global : global.slice(0, globalLimit),
    rooms,
    position,
  };
}

/**
 * The rules in force rather than the stored copy: the stored set is merged with the current server
 * defaults (push-rule-set.ts), as GET /pushrules answers.
 */
function pushRulesContent(userId: string, stored: JsonObject | undefined): JsonObject {
  const global = stored?.global as Partial<PushRuleSet> | undefined;
  return { global: effectivePushRules(userId, global) as unknown as JsonObject };
}
