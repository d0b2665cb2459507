import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatrixError } from '../http/matrix-error.ts';
import { parsePaginationToken } from './pagination-token.ts';
import { formatSyncToken, parseSyncToken, positionOf } from './stream-token.ts';

test('sync tokens round-trip, leave zero streams out, and read as pagination tokens', () => {
  assert.equal(formatSyncToken({ e: 0 }), 's0');
  assert.equal(formatSyncToken({ e: 1042, a: 17 }), 's1042_a17');
  assert.equal(formatSyncToken({ a: 0, e: 5, t: 9, r: 3 }), 's5_r3_t9');
  for (const token of ['s0', 's1042_a17', 's5_r3_t9', 's7_zz12']) {
    const positions = parseSyncToken(token);
    assert.equal(formatSyncToken(positions), token);
    assert.equal(parsePaginationToken(token), positions.e);
  }
  // A stream a token does not name is at 0: tokens from before it existed stay valid.
  assert.equal(positionOf(parseSyncToken('s12'), 'a'), 0);
});

test('malformed sync tokens are 400 M_INVALID_PARAM', () => {
  for (const token of [
    '',
    's',
    'x12',
    's12_',
    's12_a',
    's-1',
    's1_a2_a3',
    's1_e2',
    's1 ',
    's1_A2',
    's1234567890123456',
  ]) {
    assert.throws(
      () => parseSyncToken(token),
      (err: unknown) =>
        err instanceof MatrixError && err.status === 400 && err.errcode === 'M_INVALID_PARAM',
      token,
    );
  }
});
