// Assertions for auth verdicts. A refusal is matched against the expected reason, so a case meant
// to exercise one rule cannot pass by tripping over another.

import assert from 'node:assert/strict';
import type { AuthResult } from '../auth-rules/auth-types.ts';

/** `true`: must be allowed. A RegExp: must be refused with a reason matching it. */
export type ExpectedVerdict = true | RegExp;

export function assertVerdict(result: AuthResult, expected: ExpectedVerdict, label = ''): void {
  if (expected === true) {
    assert.deepEqual(result, { allowed: true }, `${label}: expected allowed`);
    return;
  }
  assert.equal(result.allowed, false, `${label}: expected refusal matching ${expected}`);
  if (!result.allowed) assert.match(result.reason, expected, label);
}

export const AUTH_VERSIONS = ['10', '11', '12'] as const;
export type AuthVersionId = (typeof AUTH_VERSIONS)[number];
