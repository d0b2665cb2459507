// The push rule edits as pure functions: ordering, defaults kept across versions, refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatrixError } from '../http/matrix-error.ts';
import { defaultPushRules } from './default-push-rules.ts';
import {
  changePushRule,
  deletePushRule,
  effectivePushRules,
  findPushRule,
  normaliseActions,
  putPushRule,
} from './push-rule-set.ts';

const ALICE = '@alice:example.org';
const ids = (rules: { rule_id: string }[]) => rules.map((rule) => rule.rule_id);

test('the defaults are the spec rules, with the user id filled in', () => {
  const rules = defaultPushRules(ALICE);
  assert.deepEqual(ids(rules.override), [
    '.m.rule.master',
    '.m.rule.suppress_notices',
    '.m.rule.invite_for_me',
    '.m.rule.member_event',
    '.m.rule.is_user_mention',
    '.m.rule.is_room_mention',
    '.m.rule.tombstone',
    '.m.rule.reaction',
    '.m.rule.room.server_acl',
    '.m.rule.suppress_edits',
  ]);
  assert.deepEqual(ids(rules.underride), [
    '.m.rule.call',
    '.m.rule.encrypted_room_one_to_one',
    '.m.rule.room_one_to_one',
    '.m.rule.message',
    '.m.rule.encrypted',
  ]);
  assert.deepEqual(rules.content, []);
  const mention = findPushRule(rules, 'override', '.m.rule.is_user_mention');
  assert.deepEqual(mention?.conditions, [
    { kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: ALICE },
  ]);
  assert.equal(findPushRule(rules, 'override', '.m.rule.master')?.enabled, false);
  assert.deepEqual(effectivePushRules(ALICE), rules);
});

test('user rules go before the defaults of their kind, but after the master rule', () => {
  let rules = effectivePushRules(ALICE);
  rules = putPushRule(rules, 'override', 'first', { actions: ['notify'] });
  rules = putPushRule(rules, 'override', 'second', { actions: [] });
  assert.deepEqual(ids(rules.override).slice(0, 4), [
    '.m.rule.master',
    'second',
    'first',
    '.m.rule.suppress_notices',
  ]);
  rules = putPushRule(rules, 'override', 'third', { actions: [] }, { after: 'first' });
  rules = putPushRule(rules, 'override', 'zeroth', { actions: [] }, { before: 'second' });
  assert.deepEqual(ids(rules.override).slice(1, 5), ['zeroth', 'second', 'first', 'third']);
  // Updating in place keeps the position and the enabled state.
  rules = changePushRule(rules, 'override', 'first', { enabled: false })!;
  rules = putPushRule(rules, 'override', 'first', {
    actions: ['notify'],
    conditions: [{ kind: 'x' }],
  });
  const first = findPushRule(rules, 'override', 'first');
  assert.deepEqual(first, {
    rule_id: 'first',
    default: false,
    enabled: false,
    actions: ['notify'],
    conditions: [{ kind: 'x' }],
  });
  assert.deepEqual(ids(rules.override).slice(1, 5), ['zeroth', 'second', 'first', 'third']);
  assert.throws(
    () => putPushRule(rules, 'override', 'x', { actions: [] }, { before: '.m.rule.master' }),
    (error: unknown) => error instanceof MatrixError && error.errcode === 'M_UNKNOWN',
  );
});

test('stored choices survive a change of the server defaults', () => {
  let rules = effectivePushRules(ALICE);
  rules = changePushRule(rules, 'underride', '.m.rule.message', { actions: [] })!;
  rules = putPushRule(rules, 'content', 'cake', { actions: ['notify'], pattern: 'cake*' });
  // An older version's stored set lacked `.m.rule.reaction`; reading brings it back.
  const stored = {
    ...rules,
    override: rules.override.filter((r) => r.rule_id !== '.m.rule.reaction'),
  };
  const merged = effectivePushRules(ALICE, stored);
  assert.ok(findPushRule(merged, 'override', '.m.rule.reaction'));
  assert.deepEqual(findPushRule(merged, 'underride', '.m.rule.message')?.actions, []);
  assert.deepEqual(findPushRule(merged, 'content', 'cake')?.pattern, 'cake*');
});

test('refusals: server-default ids, bad room/sender ids, missing pattern, unknown actions', () => {
  const rules = effectivePushRules(ALICE);
  const errcodeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof MatrixError ? error.errcode : 'not a MatrixError';
    }
    return 'no error';
  };
  assert.equal(
    errcodeOf(() => putPushRule(rules, 'override', '.mine', { actions: [] })),
    'M_INVALID_PARAM',
  );
  assert.equal(
    errcodeOf(() => putPushRule(rules, 'override', 'a/b', { actions: [] })),
    'M_INVALID_PARAM',
  );
  assert.equal(
    errcodeOf(() => putPushRule(rules, 'room', '@x:y', { actions: [] })),
    'M_INVALID_PARAM',
  );
  assert.equal(
    errcodeOf(() => putPushRule(rules, 'sender', '!x:y', { actions: [] })),
    'M_INVALID_PARAM',
  );
  assert.equal(
    errcodeOf(() => putPushRule(rules, 'content', 'c', { actions: [] })),
    'M_MISSING_PARAM',
  );
  assert.equal(
    errcodeOf(() => normaliseActions(['explode'])),
    'M_INVALID_PARAM',
  );
  assert.equal(
    errcodeOf(() => deletePushRule(rules, 'override', '.m.rule.master')),
    'M_INVALID_PARAM',
  );
  assert.equal(deletePushRule(rules, 'override', 'none'), undefined);
  assert.equal(changePushRule(rules, 'override', 'none', { enabled: true }), undefined);
  // The historical actions are kept as the client set them (evaluation ignores them).
  assert.deepEqual(
    normaliseActions(['dont_notify', 'coalesce', 'notify', { set_tweak: 'sound', value: 'x' }]),
    ['dont_notify', 'coalesce', 'notify', { set_tweak: 'sound', value: 'x' }],
  );
  const room = putPushRule(rules, 'room', '!r:example.org', {
    actions: ['dont_notify'],
    conditions: [],
  });
  assert.deepEqual(findPushRule(room, 'room', '!r:example.org'), {
    rule_id: '!r:example.org',
    default: false,
    enabled: true,
    actions: ['dont_notify'],
  });
  // MSC4306's postcontent kind takes rules with conditions.
  const post = putPushRule(rules, 'postcontent', 'p', { actions: [], conditions: [] });
  assert.deepEqual(findPushRule(post, 'postcontent', 'p')?.conditions, []);
});
