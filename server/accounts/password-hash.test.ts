import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  InvalidPasswordHashError,
  needsRehash,
  type ScryptParams,
  verifyPassword,
} from './password-hash.ts';

// Cheap parameters keep the property tests fast; the format and code path are the same.
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

test('a hash with the default parameters verifies its password only', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
  assert.equal(await verifyPassword('correct horse battery staple', stored), true);
  assert.equal(await verifyPassword('correct horse battery stapl', stored), false);
  assert.equal(needsRehash(stored), false);
});

test('the same password hashes differently each time (random salt)', async () => {
  assert.notEqual(await hashPassword('pw', FAST), await hashPassword('pw', FAST));
});

test('round trip for any password', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'grapheme' }), fc.string(), async (password, other) => {
      const stored = await hashPassword(password, FAST);
      assert.equal(await verifyPassword(password, stored), true);
      if (other.normalize('NFKC') !== password.normalize('NFKC')) {
        assert.equal(await verifyPassword(other, stored), false);
      }
    }),
    { numRuns: 25 },
  );
});

test('composed and decomposed forms of a password match (NFKC)', async () => {
  const stored = await hashPassword('caf\u00e9', FAST);
  assert.equal(await verifyPassword('cafe\u0301', stored), true);
});

test('a hash made with other parameters still verifies and asks for a rehash', async () => {
  const stored = await hashPassword('pw', FAST);
  assert.equal(await verifyPassword('pw', stored), true);
  assert.equal(needsRehash(stored), true);
  assert.equal(needsRehash(stored, FAST), false);
  assert.equal(DEFAULT_SCRYPT_PARAMS.N, 2 ** 15);
});

test('malformed or abusive hashes are refused', async () => {
  const salt = Buffer.alloc(16, 1).toString('base64');
  const hash = Buffer.alloc(32, 2).toString('base64');
  const bad = [
    '',
    'bcrypt$2b$12$abc',
    `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
    `scrypt$1048576$64$1$${salt}$${hash}`, // 8 GiB of memory
    `scrypt$1024$8$100$${salt}$${hash}`, // p too large
    `scrypt$1024$8$1$$${hash}`, // no salt
    `scrypt$1024$8$1$${salt}$${Buffer.alloc(4096).toString('base64')}`, // huge output
    `scrypt$1024$8$1.5$${salt}$${hash}`,
  ];
  for (const stored of bad) {
    await assert.rejects(verifyPassword('pw', stored), InvalidPasswordHashError, stored);
  }
  await assert.rejects(hashPassword('pw', { N: 3, r: 8, p: 1 }), InvalidPasswordHashError);
});
