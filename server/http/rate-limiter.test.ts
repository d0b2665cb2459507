import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucketLimiter } from './rate-limiter.ts';

const T0 = 1_700_000_000_000;

test('a burst is allowed at once, then one action per 1/perSecond', () => {
  const limiter = new TokenBucketLimiter({ perSecond: 0.2, burst: 3 });
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('@a:x', T0), { allowed: true });
  assert.deepEqual(limiter.take('@a:x', T0), { allowed: false, retryAfterMs: 5000 });
  // Refused actions count nothing: the wait only shrinks with time.
  assert.deepEqual(limiter.take('@a:x', T0 + 1000), { allowed: false, retryAfterMs: 4000 });
  assert.deepEqual(limiter.take('@a:x', T0 + 5000), { allowed: true });
  assert.deepEqual(limiter.take('@a:x', T0 + 5000), { allowed: false, retryAfterMs: 5000 });
  // Keys are independent.
  assert.deepEqual(limiter.take('@b:x', T0 + 5000), { allowed: true });
});

test('the bucket refills up to the burst, not beyond', () => {
  const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 2 });
  limiter.take('k', T0);
  limiter.take('k', T0);
  const later = T0 + 3_600_000;
  assert.equal(limiter.take('k', later).allowed, true);
  assert.equal(limiter.take('k', later).allowed, true);
  assert.equal(limiter.take('k', later).allowed, false);
});

test('check tells without counting', () => {
  const limiter = new TokenBucketLimiter({ perSecond: 0.5, burst: 1 });
  assert.deepEqual(limiter.check('k', T0), { allowed: true });
  assert.deepEqual(limiter.check('k', T0), { allowed: true });
  limiter.take('k', T0);
  assert.deepEqual(limiter.check('k', T0 + 500), { allowed: false, retryAfterMs: 1500 });
  assert.equal(limiter.size, 1);
});

test('perSecond 0 turns the limit off and keeps no state', () => {
  const limiter = new TokenBucketLimiter({ perSecond: 0, burst: 10 });
  for (let i = 0; i < 1000; i++) assert.equal(limiter.take('k', T0).allowed, true);
  assert.equal(limiter.enabled, false);
  assert.equal(limiter.size, 0);
});

test('a clock that goes back does not refill', () => {
  const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1 });
  limiter.take('k', T0);
  assert.equal(limiter.take('k', T0 - 60_000).allowed, false);
});

test('idle keys are forgotten once refilled; the key count is capped', () => {
  const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 2 }, { maxKeys: 100 });
  for (let i = 0; i < 50; i++) limiter.take(`ip${i}`, T0);
  assert.equal(limiter.size, 50);
  // A minute on, all 50 have refilled: the sweep drops them, the new key stays.
  limiter.take('fresh', T0 + 61_000);
  assert.equal(limiter.size, 1);

  for (let i = 0; i < 150; i++) limiter.take(`burst${i}`, T0 + 62_000);
  assert.equal(limiter.size, 100);
  // The least recently used went first; the newest are kept and still limited.
  limiter.take('burst149', T0 + 62_000);
  assert.equal(limiter.take('burst149', T0 + 62_000).allowed, false);
});
