// The spec's server-default push rules, as data. `userId` is substituted where the spec writes
// "[the user's Matrix ID]". https://spec.matrix.org/latest/client-server-api/#predefined-rules
//
// Since v1.17 the spec has no default content rules: `.m.rule.contains_user_name`,
// `.m.rule.contains_display_name` and `.m.rule.roomnotif`, which matched the message body, were
// removed in favour of the `m.mentions` rules (`.m.rule.is_user_mention`, `.m.rule.is_room_mention`).
import type { PushEvent } from './evaluate-push-rules.ts';
import { lookupProperty } from './property-path.ts';
import type { PushRuleSet } from './push-rule-set.ts';

const sound = (value: string) => ({ set_tweak: 'sound', value });
const highlight = { set_tweak: 'highlight' };
const match = (key: string, pattern: string) => ({ kind: 'event_match', key, pattern });
const propertyIs = (key: string, value: unknown) => ({ kind: 'event_property_is', key, value });

const rule = (
  rule_id: string,
  conditions: Record<string, unknown>[],
  actions: (string | Record<string, unknown>)[],
  enabled = true,
) => deepFreeze({ rule_id, default: true, enabled, conditions, actions });

// The rules that do not name the user are the same objects for everyone (frozen, so no caller
// can change them for all): a room's members share them, and push evaluation reuses what one
// member's conditions found in an event for the next (evaluate-push-rules.ts).
const MASTER = rule('.m.rule.master', [], [], false);
const SUPPRESS_NOTICES = rule(
  '.m.rule.suppress_notices',
  [match('content.msgtype', 'm.notice')],
  [],
);
const IS_MEMBER_EVENT = deepFreeze(match('type', 'm.room.member'));
const IS_INVITE = deepFreeze(match('content.membership', 'invite'));
const MEMBER_EVENT = rule('.m.rule.member_event', [IS_MEMBER_EVENT], []);
const OVERRIDE_AFTER_MENTION = [
  rule(
    '.m.rule.is_room_mention',
    [
      propertyIs('content.m\\.mentions.room', true),
      { kind: 'sender_notification_permission', key: 'room' },
    ],
    ['notify', highlight],
  ),
  rule(
    '.m.rule.tombstone',
    [match('type', 'm.room.tombstone'), match('state_key', '')],
    ['notify', highlight],
  ),
  rule('.m.rule.reaction', [match('type', 'm.reaction')], []),
  rule('.m.rule.room.server_acl', [match('type', 'm.room.server_acl'), match('state_key', '')], []),
  rule('.m.rule.suppress_edits', [propertyIs('content.m\\.relates_to.rel_type', 'm.replace')], []),
];
const UNDERRIDE = [
  rule('.m.rule.call', [match('type', 'm.call.invite')], ['notify', sound('ring')]),
  rule(
    '.m.rule.encrypted_room_one_to_one',
    [{ kind: 'room_member_count', is: '2' }, match('type', 'm.room.encrypted')],
    ['notify', sound('default')],
  ),
  rule(
    '.m.rule.room_one_to_one',
    [{ kind: 'room_member_count', is: '2' }, match('type', 'm.room.message')],
    ['notify', sound('default')],
  ),
  rule('.m.rule.message', [match('type', 'm.room.message')], ['notify']),
  rule('.m.rule.encrypted', [match('type', 'm.room.encrypted')], ['notify']),
];

export function defaultPushRules(userId: string): PushRuleSet {
  return {
    override: [
      MASTER,
      SUPPRESS_NOTICES,
      rule(
        '.m.rule.invite_for_me',
        [IS_MEMBER_EVENT, IS_INVITE, match('state_key', userId)],
        ['notify', sound('default')],
      ),
      MEMBER_EVENT,
      rule(
        '.m.rule.is_user_mention',
        [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }],
        ['notify', sound('default'), highlight],
      ),
      ...OVERRIDE_AFTER_MENTION,
    ],
    content: [],
    postcontent: [],
    room: [],
    sender: [],
    underride: [...UNDERRIDE],
  };
}

/**
 * Whether a condition of the default rules that names the user can hold for `userId` in `event`
 * (the two rules above built with `userId`: the invite's state_key and the mention). When it
 * cannot, every user with only the default rules gets the same outcome from `event`, so a room's
 * members need not be evaluated one by one (record-push-actions.ts). A default rule that names
 * the user in another way must be added here; a test checks that none does.
 */
export function defaultRulesNameUser(event: PushEvent, userId: string): boolean {
  return usersNamedByDefaultRules(event).includes(userId);
}

/** The user ids for which defaultRulesNameUser holds: the state_key, the mentioned users. */
export function usersNamedByDefaultRules(event: PushEvent): string[] {
  const named = typeof event.state_key === 'string' ? [event.state_key] : [];
  const mentioned = lookupProperty(event, MENTIONED_USERS);
  if (Array.isArray(mentioned)) {
    for (const each of mentioned) if (typeof each === 'string') named.push(each);
  }
  return named;
}

const MENTIONED_USERS = ['content', 'm.mentions', 'user_ids'];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
