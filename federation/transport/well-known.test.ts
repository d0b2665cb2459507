import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheLifetimeMs } from './well-known.ts';

test('cache lifetime from Cache-Control, then Expires', () => {
  const now = Date.UTC(2026, 0, 1);
  const inOneHour = new Date(now + 3600_000).toUTCString();
  const cases: [Record<string, string | string[]>, number | undefined][] = [
    [{}, undefined],
    [{ 'cache-control': 'max-age=600' }, 600_000],
    [{ 'cache-control': 'public, Max-Age = 30' }, 30_000],
    [{ 'cache-control': 'max-age="120"' }, 120_000],
    [{ 'cache-control': ['public', 'max-age=60'] }, 60_000],
    [{ 'cache-control': 'no-cache' }, 0],
    [{ 'cache-control': 'max-age=600, no-store' }, 0],
    // Cache-Control wins over Expires; without max-age, Expires says.
    [{ 'cache-control': 'max-age=10', expires: inOneHour }, 10_000],
    [{ 'cache-control': 'public', expires: inOneHour }, 3600_000],
    [{ expires: inOneHour }, 3600_000],
    [{ expires: new Date(now - 1000).toUTCString() }, 0],
    [{ expires: '0' }, 0],
  ];
  for (const [headers, expected] of cases) {
    assert.equal(cacheLifetimeMs(headers, now), expected, JSON.stringify(headers));
  }
});
