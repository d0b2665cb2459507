import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPaginationToken, parsePaginationToken, TIMELINE_START } from './pagination-token.ts';

test('pagination tokens: s<position>, m<N> for backfilled positions -N, and /sync tokens', () => {
  assert.equal(formatPaginationToken(42), 's42');
  assert.equal(formatPaginationToken(0), 's0');
  // Backfilled history sits below 0; the start of every timeline is TIMELINE_START.
  assert.equal(formatPaginationToken(-1), 'm1');
  assert.equal(parsePaginationToken('m1'), -1);
  assert.equal(parsePaginationToken(formatPaginationToken(TIMELINE_START)), TIMELINE_START);
  assert.equal(formatPaginationToken(TIMELINE_START - 5), formatPaginationToken(TIMELINE_START));
  assert.equal(parsePaginationToken(`m${2 ** 53}`), undefined);
  assert.equal(parsePaginationToken('s42'), 42);
  assert.equal(parsePaginationToken('s1042_a17_r3_t99'), 1042);
  for (const bad of ['', 's', '42', 't47-42', 's-1', 's1 ', 's12345678901234567', 's1_!']) {
    assert.equal(parsePaginationToken(bad), undefined, bad);
  }
});
