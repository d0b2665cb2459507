import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BACKOFF, retryDelayMs } from './backoff.ts';

test('the wait starts at the initial delay, doubles with each failure and stops at the cap', () => {
  const settings = { initialMs: 5_000, maxMs: 60 * 60_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((failures) => retryDelayMs(failures, settings)),
    [5_000, 10_000, 20_000, 40_000, 80_000],
  );
  assert.equal(retryDelayMs(12, settings), 60 * 60_000);
  assert.equal(retryDelayMs(10_000, settings), 60 * 60_000);
  assert.deepEqual(DEFAULT_BACKOFF, settings);
});
