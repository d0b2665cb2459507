import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateKey } from '../core/state-map.ts';
import { selectStateEventIds } from './select-state.ts';
import { SentMembersCache } from './sent-members-cache.ts';

const state = new Map([
  [stateKey('m.room.create', ''), '$create'],
  [stateKey('m.room.member', '@a'), '$a'],
  [stateKey('m.room.member', '@b'), '$b'],
  [stateKey('m.room.member', '@c'), '$c'],
]);

test('without lazy-loading every entry is sent', () => {
  assert.deepEqual(selectStateEventIds(state, true, undefined).sort(), [
    '$a',
    '$b',
    '$c',
    '$create',
  ]);
});

test('lazy-loading: needed members only, gap changes always, redundant ones left out', () => {
  const lazy = (needed: string[], atStart: [string, string][], redundant: string[] = []) => ({
    needed: new Set(needed),
    atStart: new Map(atStart),
    isRedundant: (_userId: string, eventId: string) => redundant.includes(eventId),
  });
  assert.deepEqual(selectStateEventIds(state, true, lazy(['@b'], [['@b', '$b']])).sort(), [
    '$b',
    '$create',
  ]);
  // Incremental: the delta's member changes are kept; a needed member not in it is added.
  const delta = new Map([[stateKey('m.room.member', '@c'), '$c2']]);
  assert.deepEqual(selectStateEventIds(delta, false, lazy(['@a'], [['@a', '$a']])).sort(), [
    '$a',
    '$c2',
  ]);
  assert.deepEqual(
    selectStateEventIds(
      delta,
      false,
      lazy(
        ['@a', '@c'],
        [
          ['@a', '$a'],
          ['@c', '$c2'],
        ],
        ['$a', '$c2'],
      ),
    ),
    ['$c2'],
  );
});

test('sent members count once a later token acknowledges them', () => {
  const cache = new SentMembersCache();
  cache.record('dev', '!r', [['@a', '$a']], 10);
  assert.equal(cache.isRedundant('dev', '!r', '@a', '$a', undefined), false, 'initial sync');
  assert.equal(cache.isRedundant('dev', '!r', '@a', '$a', 9), false, 'response not acknowledged');
  assert.equal(cache.isRedundant('dev', '!r', '@a', '$a', 10), true);
  assert.equal(cache.isRedundant('dev', '!r', '@a', '$a2', 12), false, 'a newer member event');
  assert.equal(cache.isRedundant('other', '!r', '@a', '$a', 12), false, 'another device');
  cache.record('dev', '!r', [['@a', '$a']], 20);
  assert.equal(cache.isRedundant('dev', '!r', '@a', '$a', 10), true, 'the first position stays');
});
