import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onlyEventFields, parseFieldPath } from './event-fields.ts';
import {
  allowsRoom,
  matchesEventFilter,
  timelineLimit,
  typePatternMatches,
} from './event-filter.ts';

test('type patterns: * is any run of characters, the rest is literal', () => {
  const cases: [string, string, boolean][] = [
    ['m.room.message', 'm.room.message', true],
    ['m.room.*', 'm.room.message', true],
    ['m.room.*', 'm.roomy', false],
    ['*', 'anything', true],
    ['m.*.member', 'm.room.member', true],
    ['m.room.power_levels', 'm.room.powerXlevels', false],
    ['m.r..m', 'm.room', false],
  ];
  for (const [pattern, type, expected] of cases) {
    assert.equal(typePatternMatches(pattern, type), expected, `${pattern} ~ ${type}`);
  }
});

test('event filters: not_* win, absent lists allow all, empty lists allow none', () => {
  const event = { type: 'm.room.message', sender: '@a:x' };
  assert.equal(matchesEventFilter(undefined, event), true);
  assert.equal(matchesEventFilter({}, event), true);
  assert.equal(matchesEventFilter({ types: [] }, event), false);
  assert.equal(matchesEventFilter({ types: ['m.*'], not_types: ['m.room.message'] }, event), false);
  assert.equal(matchesEventFilter({ senders: ['@a:x'] }, event), true);
  assert.equal(matchesEventFilter({ senders: ['@a:x'], not_senders: ['@a:x'] }, event), false);
  assert.equal(matchesEventFilter({ senders: ['@b:x'] }, event), false);
  assert.equal(allowsRoom({ rooms: ['!a'], not_rooms: ['!a'] }, '!a'), false);
  assert.equal(allowsRoom({ rooms: ['!a'] }, '!b'), false);
  assert.equal(allowsRoom({ not_rooms: ['!a'] }, '!b'), true);
  assert.equal(timelineLimit(undefined), 10);
  assert.equal(timelineLimit({ limit: 0 }), 0);
  assert.equal(timelineLimit({ limit: 1_000_000 }), 1000);
});

test('event_fields keep the listed paths, with escaped dots', () => {
  assert.deepEqual(parseFieldPath('content.body'), ['content', 'body']);
  assert.deepEqual(parseFieldPath('content.m\\.relates_to'), ['content', 'm.relates_to']);
  assert.deepEqual(parseFieldPath('a\\\\.b'), ['a\\', 'b']);
  const event = {
    type: 'm.room.message',
    event_id: '$e',
    content: { body: 'hi', msgtype: 'm.text', 'm.relates_to': { rel_type: 'x' } },
  };
  assert.deepEqual(onlyEventFields(event, ['type', 'content.body', 'content.m\\.relates_to']), {
    type: 'm.room.message',
    content: { body: 'hi', 'm.relates_to': { rel_type: 'x' } },
  });
  // A whole object and then a path inside it: the object, and the event is not written to.
  const whole = onlyEventFields(event, ['content', 'content.body', 'missing.x']);
  assert.deepEqual(whole, { content: event.content });
  assert.deepEqual(Object.keys(event.content), ['body', 'msgtype', 'm.relates_to']);
});
