import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPaginationToken, parsePaginationToken } from './pagination-token.ts';

test('pagination tokens: s<position>, and /sync tokens read by their events position', () => {
  assert.equal(formatPaginationToken(42), 's42');
  assert.equal(formatPaginationToken(-1), 's0');
  assert.equal(parsePaginationToken('s42'), 42);
  assert.equal(parsePaginationToken('s1042_a17_r3_t99'), 1042);
  for (const bad of ['', 's', '42', 't47-42', 's-1', 's1 ', 's12345678901234567', 's1_!']) {
    assert.equal(parsePaginationToken(bad), undefined, bad);
  }
});
