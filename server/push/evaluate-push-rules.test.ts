// The push rule evaluator against the spec's default rules and the spec's own examples of each
// condition: which rule wins for realistic events, and the notify/highlight it yields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPushRules, defaultRulesNameUser } from './default-push-rules.ts';
import {
  conditionHolds,
  evaluatePushRules,
  notificationOf,
  type PushContext,
  type PushEvent,
} from './evaluate-push-rules.ts';
import { globMatches } from './glob-match.ts';
import { lookupProperty, parsePropertyPath } from './property-path.ts';
import { effectivePushRules, putPushRule } from './push-rule-set.ts';

const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';
const ROOM = '!room:example.org';

function message(content: Record<string, unknown>, fields: Partial<PushEvent> = {}): PushEvent {
  return {
    type: 'm.room.message',
    sender: BOB,
    room_id: ROOM,
    content: { msgtype: 'm.text', body: 'hello', ...content } as PushEvent['content'],
    ...fields,
  } as PushEvent;
}

function context(overrides: Partial<PushContext> = {}): PushContext {
  return {
    userId: ALICE,
    displayName: 'Alice',
    roomMemberCount: 5,
    senderMayNotify: () => false,
    ...overrides,
  };
}

/** A context whose sender has `level` and whose `notifications.room` is `room`. */
function power(level: number, room = 50): Partial<PushContext> {
  return { senderMayNotify: (key) => key === 'room' && level >= room };
}

const defaults = effectivePushRules(ALICE);

function outcome(event: PushEvent, ctx: Partial<PushContext> = {}) {
  const found = evaluatePushRules(defaults, event, context(ctx));
  return found && { rule: found.ruleId, notify: found.notify, highlight: found.highlight };
}

test('default rules: plain messages notify in groups and one-to-one rooms, without highlight', () => {
  assert.deepEqual(outcome(message({})), {
    rule: '.m.rule.message',
    notify: true,
    highlight: false,
  });
  assert.deepEqual(outcome(message({}), { roomMemberCount: 2 }), {
    rule: '.m.rule.room_one_to_one',
    notify: true,
    highlight: false,
  });
  const serverNotice = message({ msgtype: 'm.server_notice', server_notice_type: 'x' });
  assert.equal(outcome(serverNotice)?.notify, true, 'server notices are not m.notice');
});

test('default rules: mentions through m.mentions highlight', () => {
  const mention = message({ body: 'hi', 'm.mentions': { user_ids: [ALICE] } });
  assert.deepEqual(outcome(mention), {
    rule: '.m.rule.is_user_mention',
    notify: true,
    highlight: true,
  });
  const other = message({ body: 'Alice, hi', 'm.mentions': { user_ids: ['@carol:example.org'] } });
  assert.deepEqual(outcome(other), { rule: '.m.rule.message', notify: true, highlight: false });
  // The body alone no longer mentions anyone (v1.17 removed the body rules).
  assert.equal(outcome(message({ body: `${ALICE} @room` }))?.highlight, false);
});

test('default rules: @room needs the notifications power level', () => {
  const roomMention = message({ body: '@room lunch', 'm.mentions': { room: true } });
  assert.deepEqual(outcome(roomMention, power(50)), {
    rule: '.m.rule.is_room_mention',
    notify: true,
    highlight: true,
  });
  assert.equal(outcome(roomMention, power(49))?.rule, '.m.rule.message');
  assert.equal(outcome(roomMention, power(10, 10))?.highlight, true);
  const stringy = message({ 'm.mentions': { room: 'true' } });
  assert.equal(outcome(stringy, power(100))?.rule, '.m.rule.message', 'no casts');
  // Power levels are only consulted for an @room: plain messages never ask.
  let asked = 0;
  outcome(message({}), { senderMayNotify: () => ++asked > 0 });
  assert.equal(asked, 0);
});

test('default rules: encrypted events notify, in one-to-one rooms with a sound', () => {
  const encrypted: PushEvent = {
    type: 'm.room.encrypted',
    sender: BOB,
    room_id: ROOM,
    content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgA', session_id: 's' },
  };
  assert.equal(
    outcome(encrypted, { roomMemberCount: 2 })?.rule,
    '.m.rule.encrypted_room_one_to_one',
  );
  assert.deepEqual(outcome(encrypted), {
    rule: '.m.rule.encrypted',
    notify: true,
    highlight: false,
  });
});

test('default rules: what is silenced', () => {
  const silent = (event: PushEvent) => {
    const found = outcome(event);
    assert.ok(found, `${event.type} matches a rule`);
    assert.equal(found.notify, false, found.rule);
    assert.equal(found.highlight, false, found.rule);
    return found.rule;
  };
  assert.equal(
    silent(message({ msgtype: 'm.notice', body: 'bot says' })),
    '.m.rule.suppress_notices',
  );
  const reaction: PushEvent = {
    type: 'm.reaction',
    sender: BOB,
    room_id: ROOM,
    content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$x', key: '👍' } },
  };
  assert.equal(silent(reaction), '.m.rule.reaction');
  const join: PushEvent = {
    type: 'm.room.member',
    sender: BOB,
    room_id: ROOM,
    state_key: BOB,
    content: { membership: 'join', displayname: 'Bob' },
  };
  assert.equal(silent(join), '.m.rule.member_event');
  const edit = message({
    body: '* fixed',
    'm.new_content': { msgtype: 'm.text', body: 'fixed' },
    'm.relates_to': { rel_type: 'm.replace', event_id: '$original' },
    'm.mentions': { user_ids: [ALICE] },
  });
  // The mention rule comes first: an edit that newly mentions someone still highlights.
  assert.equal(outcome(edit)?.rule, '.m.rule.is_user_mention');
  const { 'm.mentions': _, ...plainEdit } = edit.content;
  assert.equal(silent(message(plainEdit)), '.m.rule.suppress_edits');
  const acl: PushEvent = {
    type: 'm.room.server_acl',
    sender: BOB,
    room_id: ROOM,
    state_key: '',
    content: { allow: ['*'] },
  };
  assert.equal(silent(acl), '.m.rule.room.server_acl');
  const topic: PushEvent = {
    type: 'm.room.topic',
    sender: BOB,
    room_id: ROOM,
    state_key: '',
    content: { topic: 'x' },
  };
  assert.equal(outcome(topic), undefined, 'no rule matches a topic change: no notification');
});

test('default rules: invites for me, tombstones and calls', () => {
  const invite: PushEvent = {
    type: 'm.room.member',
    sender: BOB,
    room_id: ROOM,
    state_key: ALICE,
    content: { membership: 'invite' },
  };
  assert.deepEqual(outcome(invite), {
    rule: '.m.rule.invite_for_me',
    notify: true,
    highlight: false,
  });
  const tombstone: PushEvent = {
    type: 'm.room.tombstone',
    sender: BOB,
    room_id: ROOM,
    state_key: '',
    content: { body: 'moved', replacement_room: '!new:example.org' },
  };
  assert.deepEqual(outcome(tombstone), {
    rule: '.m.rule.tombstone',
    notify: true,
    highlight: true,
  });
  const notState = { ...tombstone };
  delete notState.state_key;
  assert.equal(outcome(notState), undefined, 'the tombstone rule needs a state_key');
  const call: PushEvent = { type: 'm.call.invite', sender: BOB, room_id: ROOM, content: {} };
  assert.equal(outcome(call)?.rule, '.m.rule.call');
});

test('the master rule, disabled rules and user rules in the order of kinds', () => {
  let rules = effectivePushRules(ALICE, {
    override: [{ rule_id: '.m.rule.master', default: true, enabled: true, actions: [] }],
  });
  assert.equal(evaluatePushRules(rules, message({}), context())?.ruleId, '.m.rule.master');

  rules = effectivePushRules(ALICE, {
    underride: [{ rule_id: '.m.rule.message', default: true, enabled: false, actions: ['notify'] }],
  });
  assert.equal(evaluatePushRules(rules, message({}), context()), undefined, 'disabled never match');

  rules = putPushRule(defaults, 'room', ROOM, { actions: [] }); // a muted room
  assert.equal(evaluatePushRules(rules, message({}), context())?.ruleId, ROOM);
  const mention = message({ 'm.mentions': { user_ids: [ALICE] } });
  assert.equal(
    evaluatePushRules(rules, mention, context())?.ruleId,
    '.m.rule.is_user_mention',
    'overrides outrank room rules',
  );
  rules = putPushRule(rules, 'sender', BOB, { actions: ['notify', { set_tweak: 'highlight' }] });
  assert.equal(
    evaluatePushRules(rules, message({}), context())?.ruleId,
    ROOM,
    'room before sender',
  );
  rules = putPushRule(rules, 'content', 'cake', { pattern: 'cake', actions: ['notify'] });
  const cake = evaluatePushRules(rules, message({ body: 'There is CAKE!' }), context());
  assert.equal(cake?.ruleId, 'cake', 'content before room, case-insensitively');
  assert.equal(evaluatePushRules(rules, message({ body: 'cakes' }), context())?.ruleId, ROOM);
  const otherRoom = message({}, { room_id: '!other:example.org' });
  assert.equal(evaluatePushRules(rules, otherRoom, context())?.ruleId, BOB);
});

test('actions: notify, the highlight tweak and the historical actions', () => {
  assert.deepEqual(notificationOf([]), { notify: false, highlight: false });
  assert.deepEqual(notificationOf(['dont_notify']), { notify: false, highlight: false });
  assert.deepEqual(notificationOf(['coalesce']), { notify: false, highlight: false });
  assert.deepEqual(notificationOf(['notify', { set_tweak: 'sound', value: 'default' }]), {
    notify: true,
    highlight: false,
  });
  assert.deepEqual(notificationOf(['notify', { set_tweak: 'highlight' }]), {
    notify: true,
    highlight: true,
  });
  assert.deepEqual(notificationOf(['notify', { set_tweak: 'highlight', value: false }]), {
    notify: true,
    highlight: false,
  });
});

test('event_match: whole values, globs, and word boundaries for content.body', () => {
  const topic: PushEvent = {
    type: 'm.room.topic',
    sender: BOB,
    room_id: ROOM,
    state_key: '',
    content: { topic: 'Lunch plans' },
  };
  const holds = (event: PushEvent, key: string, pattern: string) =>
    conditionHolds({ kind: 'event_match', key, pattern }, event, context());
  const withTopic = (value: unknown) =>
    ({ ...topic, content: { topic: value } }) as unknown as PushEvent;
  assert.ok(holds(topic, 'content.topic', 'lunc?*'));
  assert.ok(holds(withTopic('LUNCH'), 'content.topic', 'lunc?*'));
  assert.ok(!holds(withTopic(' lunch'), 'content.topic', 'lunc?*'));
  assert.ok(!holds(withTopic('lunc'), 'content.topic', 'lunc?*'));
  assert.ok(!holds(withTopic(null), 'content.topic', '*'), 'not a string');
  assert.ok(!holds(topic, 'content.missing', '*'), 'absent');
  assert.ok(!holds(topic, 'content.topic', 'Lunch'), 'the whole value must match');

  const body = (text: string) => message({ body: text });
  assert.ok(holds(body('An example event.'), 'content.body', 'ex*ple'));
  assert.ok(holds(body('exple'), 'content.body', 'ex*ple'));
  assert.ok(holds(body('An exciting triple-whammy'), 'content.body', 'ex*ple'));
  assert.ok(!holds(body('Anexample event'), 'content.body', 'ex*ple'), 'not mid-word');
  assert.ok(!holds(body('examples'), 'content.body', 'ex*ple'));
  assert.ok(holds(body('ping @room now'), 'content.body', '@room'));
  assert.ok(holds(body('a.b'), 'content.body', 'a?b'));
  assert.ok(!holds(body('axxb'), 'content.body', 'a?b'), '? is one character');
  assert.ok(holds(body('multi\nline'), 'content.body', 'multi*line'), '* crosses lines');
  assert.ok(holds(body('(a+b)'), 'content.body', '(a+b)'), 'regex characters are literal');
  assert.ok(!holds(body('aab'), 'content.body', 'a+b'));
  assert.ok(globMatches('', '', 'whole'));
  assert.ok(!globMatches('', 'x', 'whole'));
});

test('event_property_is and event_property_contains: exact scalar values, dotted keys', () => {
  const create: PushEvent = {
    type: 'm.room.create',
    sender: BOB,
    room_id: ROOM,
    state_key: '',
    content: { 'm.federate': true, n: 1, s: 'true', none: null, nested: { a: 1 } },
  };
  const is = (key: string, value: unknown) =>
    conditionHolds({ kind: 'event_property_is', key, value }, create, context());
  assert.ok(is('content.m\\.federate', true));
  assert.ok(!is('content.m\\.federate', 'true'), 'no casts');
  assert.ok(!is('content.m\\.federate', 1));
  assert.ok(is('content.n', 1));
  assert.ok(is('content.none', null));
  assert.ok(!is('content.absent', null), 'absent is not null');
  assert.ok(!is('content.nested', { a: 1 }), 'compound values never match');
  assert.ok(!is('content.m.federate', true), 'an unescaped dot is a step');

  const aliases: PushEvent = {
    type: 'm.room.canonical_alias',
    sender: BOB,
    room_id: ROOM,
    state_key: '',
    content: { alt_aliases: ['#somewhere:example.org', '#myroom:example.com', { x: 1 }] },
  };
  const contains = (key: string, value: unknown) =>
    conditionHolds({ kind: 'event_property_contains', key, value }, aliases, context());
  assert.ok(contains('content.alt_aliases', '#myroom:example.com'));
  assert.ok(!contains('content.alt_aliases', ':example.com'), 'no partial values');
  assert.ok(!contains('content.alt_aliases', { x: 1 }));
  assert.ok(!contains('type', 'm'), 'not an array');
});

test('dotted paths: the spec escapes', () => {
  assert.deepEqual(parsePropertyPath('content.m\\.relates_to.rel_type'), [
    'content',
    'm.relates_to',
    'rel_type',
  ]);
  assert.deepEqual(parsePropertyPath('content.m\\\\foo'), ['content', 'm\\foo']);
  assert.deepEqual(parsePropertyPath('content.a\\xb'), ['content', 'a\\xb'], 'other escapes kept');
  assert.deepEqual(parsePropertyPath('content.a\\\\.b'), ['content', 'a\\', 'b']);
  assert.equal(lookupProperty({ content: { 'm\\foo': 1 } }, ['content', 'm\\foo']), 1);
  assert.equal(lookupProperty({ content: 'x' }, ['content', 'length']), undefined);
  assert.equal(lookupProperty({ a: {} }, ['a', 'toString']), undefined, 'own properties only');
});

test('contains_display_name, room_member_count, sender_notification_permission, unknown kinds', () => {
  const holds = (condition: Record<string, unknown>, event: PushEvent, ctx = {}) =>
    conditionHolds(condition, event, context(ctx));
  const byName = { kind: 'contains_display_name' };
  assert.ok(holds(byName, message({ body: 'thanks alice!' })));
  assert.ok(!holds(byName, message({ body: 'thanks malice' })));
  assert.ok(!holds(byName, message({ body: 'thanks alice' }), { displayName: undefined }));
  assert.ok(holds(byName, message({ body: 'hi A.l (ice)' }), { displayName: 'A.l (ice)' }));

  const count = (is: string, n: number) =>
    holds({ kind: 'room_member_count', is }, message({}), { roomMemberCount: n });
  assert.ok(count('2', 2));
  assert.ok(count('==2', 2));
  assert.ok(!count('2', 3));
  assert.ok(count('<3', 2) && !count('<3', 3));
  assert.ok(count('>3', 4) && !count('>3', 3));
  assert.ok(count('<=3', 3) && !count('<=3', 4));
  assert.ok(count('>=3', 3) && !count('>=3', 2));
  assert.ok(!count('two', 2) && !count('=2', 2) && !count('', 2));

  const permission = { kind: 'sender_notification_permission', key: 'room' };
  const asked: string[] = [];
  const recording = {
    senderMayNotify: (key: string) => {
      asked.push(key);
      return true;
    },
  };
  assert.ok(holds(permission, message({}), recording));
  assert.ok(!holds(permission, message({}), power(49)));
  assert.ok(!holds({ kind: 'sender_notification_permission' }, message({}), recording));
  assert.deepEqual(asked, ['room'], 'asked with the key, and not without one');

  assert.ok(!holds({ kind: 'related_event_match', rel_type: 'm.in_reply_to' }, message({})));
  const rules = putPushRule(defaults, 'override', 'future', {
    conditions: [{ kind: 'org.example.future' }],
    actions: ['notify', { set_tweak: 'highlight' }],
  });
  assert.equal(
    evaluatePushRules(rules, message({}), context())?.ruleId,
    '.m.rule.message',
    'a rule with an unknown condition is as good as disabled',
  );
});

test('postcontent rules (MSC4306) come after content rules and before room rules', () => {
  const withRoom = putPushRule(defaults, 'room', ROOM, { actions: ['notify'] });
  const withPost = putPushRule(withRoom, 'postcontent', 'threads', {
    actions: [],
    conditions: [{ kind: 'event_match', key: 'content.body', pattern: 'hello' }],
  });
  assert.equal(evaluatePushRules(withPost, message({}), context())?.ruleId, 'threads');
  const withContent = putPushRule(withPost, 'content', 'greeting', {
    actions: ['notify'],
    pattern: 'hello',
  });
  assert.equal(evaluatePushRules(withContent, message({}), context())?.ruleId, 'greeting');
  // A rule whose actions are the historical ["dont_notify"] neither notifies nor highlights.
  const muted = putPushRule(defaults, 'room', ROOM, { actions: ['dont_notify'] });
  const found = evaluatePushRules(muted, message({}), context());
  assert.deepEqual([found?.ruleId, found?.notify, found?.highlight], [ROOM, false, false]);
});

test("a memo shared by one event's members changes no outcome, and is what it reuses", () => {
  const users = ['@alice:example.org', '@bob:example.org', '@carol:example.org'];
  const carolsRules = putPushRule(effectivePushRules(users[2]!), 'override', 'cake', {
    conditions: [{ kind: 'event_match', key: 'content.body', pattern: 'cake' }],
    actions: ['notify'],
  });
  const rulesOf = (user: string) => (user === users[2] ? carolsRules : effectivePushRules(user));
  const events: PushEvent[] = [
    message({}),
    message({ body: 'cake for all' }),
    message({ 'm.mentions': { user_ids: [users[1]] } }),
    message({ msgtype: 'm.notice' }),
    {
      type: 'm.room.member',
      sender: BOB,
      room_id: ROOM,
      state_key: users[0],
      content: { membership: 'invite' },
    } as PushEvent,
    { type: 'org.example.state', sender: BOB, room_id: ROOM, state_key: '', content: {} },
  ];
  for (const event of events) {
    const memo = new WeakMap<object, boolean>();
    for (const user of users) {
      for (const members of [2, 5]) {
        const ctx = context({ userId: user, roomMemberCount: members });
        const plain = evaluatePushRules(rulesOf(user), event, ctx)?.ruleId;
        // The member count differs between these calls: it must not be taken from the memo.
        assert.equal(evaluatePushRules(rulesOf(user), event, ctx, memo)?.ruleId, plain);
      }
    }
  }
  // Members share the conditions that name no user: one member's evaluation fills the memo for
  // the next.
  const memo = new WeakMap<object, boolean>();
  evaluatePushRules(rulesOf(users[0]!), message({}), context(), memo);
  const shared = rulesOf(users[1]!).underride.find((rule) => rule.rule_id === '.m.rule.message');
  assert.equal(memo.get(shared!.conditions![0]!), true);
});

test('users with the default rules whom an event does not name all get the same outcome', () => {
  const users = ['@alice:example.org', '@bob:example.org', '@zed:other.example'];
  const events: PushEvent[] = [
    message({}),
    message({ msgtype: 'm.notice' }),
    message({ 'm.mentions': { user_ids: [users[0]] } }),
    message({ 'm.mentions': { room: true } }),
    message({ 'm.relates_to': { rel_type: 'm.replace', event_id: '$x' } }),
    { type: 'm.room.encrypted', sender: BOB, room_id: ROOM, content: {} },
    { type: 'm.call.invite', sender: BOB, room_id: ROOM, content: {} },
    { type: 'm.reaction', sender: BOB, room_id: ROOM, content: {} },
    ...['invite', 'join'].map(
      (membership) =>
        ({
          type: 'm.room.member',
          sender: BOB,
          room_id: ROOM,
          state_key: users[1],
          content: { membership },
        }) as PushEvent,
    ),
    { type: 'm.room.tombstone', sender: BOB, room_id: ROOM, state_key: '', content: {} },
    { type: 'org.example.state', sender: BOB, room_id: ROOM, state_key: 'k', content: {} },
  ];
  let named = 0;
  for (const event of events) {
    for (const members of [2, 7]) {
      for (const mayNotify of [false, true]) {
        const outcomes = users.map((user) => {
          const ctx = context({
            userId: user,
            roomMemberCount: members,
            senderMayNotify: () => mayNotify,
          });
          return evaluatePushRules(effectivePushRules(user), event, ctx)?.ruleId;
        });
        const unnamed = users.filter((user) => !defaultRulesNameUser(event, user));
        named += users.length - unnamed.length;
        const distinct = new Set(unnamed.map((user) => outcomes[users.indexOf(user)]));
        assert.ok(distinct.size <= 1, `${event.type}: ${[...distinct].join(', ')}`);
      }
    }
  }
  assert.ok(named > 0, 'some events name a user (their outcomes may differ)');

  // Every default condition that mentions the user is one defaultRulesNameUser knows: the
  // invite's state_key and the mention. A new one would make the shortcut wrong.
  const probe = '@probe:example.org';
  const naming = Object.values(defaultPushRules(probe))
    .flat()
    .flatMap((rule) => (rule.conditions ?? []).map((condition) => ({ rule, condition })))
    .filter(({ condition }) => JSON.stringify(condition).includes(probe))
    .map(({ rule, condition }) => `${rule.rule_id} ${condition.kind} ${String(condition.key)}`);
  assert.deepEqual(naming.sort(), [
    '.m.rule.invite_for_me event_match state_key',
    '.m.rule.is_user_mention event_property_contains content.m\\.mentions.user_ids',
  ]);
  assert.ok(!JSON.stringify(defaultPushRules(probe)).includes('contains_display_name'));
});
