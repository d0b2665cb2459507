// The spec's server-default push rules, as data. `userId` is substituted where the spec writes
// "[the user's Matrix ID]". https://spec.matrix.org/latest/client-server-api/#predefined-rules
//
// Since v1.17 the spec has no default content rules: `.m.rule.contains_user_name`,
// `.m.rule.contains_display_name` and `.m.rule.roomnotif`, which matched the message body, were
// removed in favour of the `m.mentions` rules (`.m.rule.is_user_mention`, `.m.rule.is_room_mention`).
import type { PushRuleSet } from './push-rule-set.ts';

const sound = (value: string) => ({ set_tweak: 'sound', value });
const highlight = { set_tweak: 'highlight' };
const match = (key: string, pattern: string) => ({ kind: 'event_match', key, pattern });
const propertyIs = (key: string, value: unknown) => ({ kind: 'event_property_is', key, value });

export function defaultPushRules(userId: string): PushRuleSet {
  const rule = (
    rule_id: string,
    conditions: Record<string, unknown>[],
    actions: (string | Record<string, unknown>)[],
    enabled = true,
  ) => ({ rule_id, default: true, enabled, conditions, actions });
  return {
    override: [
      rule('.m.rule.master', [], [], false),
      rule('.m.rule.suppress_notices', [match('content.msgtype', 'm.notice')], []),
      rule(
        '.m.rule.invite_for_me',
        [
          match('type', 'm.room.member'),
          match('content.membership', 'invite'),
          match('state_key', userId),
        ],
        ['notify', sound('default')],
      ),
      rule('.m.rule.member_event', [match('type', 'm.room.member')], []),
      rule(
        '.m.rule.is_user_mention',
        [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }],
        ['notify', sound('default'), highlight],
      ),
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
      rule(
        '.m.rule.room.server_acl',
        [match('type', 'm.room.server_acl'), match('state_key', '')],
        [],
      ),
      rule(
        '.m.rule.suppress_edits',
        [propertyIs('content.m\\.relates_to.rel_type', 'm.replace')],
        [],
      ),
    ],
    content: [],
    postcontent: [],
    room: [],
    sender: [],
    underride: [
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
    ],
  };
}
