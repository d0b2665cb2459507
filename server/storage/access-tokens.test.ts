import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newDevice,
  newUser,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  createAccessToken,
  deleteAccessToken,
  deleteAccessTokensOfUser,
  hashAccessToken,
  lookupAccessToken,
} from './access-tokens.ts';

test('hashAccessToken is hex SHA-256', () => {
  assert.equal(
    hashAccessToken('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a token looks up its user and device, and only its hash is stored`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      const deviceId = await newDevice(db, alice.userId);
      const token = 'syt_YWxpY2U_secret_1234';
      await createAccessToken(db, { token, userId: alice.userId, deviceId, now: TEST_NOW });
      await createAccessToken(db, {
        token: 'expiring',
        userId: alice.userId,
        deviceId,
        now: TEST_NOW,
        expiresTs: TEST_NOW + 60_000,
      });
      assert.deepEqual(await lookupAccessToken(db, token), {
        userId: alice.userId,
        deviceId,
        expiresTs: null,
      });
      assert.equal((await lookupAccessToken(db, 'expiring'))?.expiresTs, TEST_NOW + 60_000);
      assert.equal(await lookupAccessToken(db, 'unknown'), undefined);

      const rows = await db.selectFrom('access_tokens').selectAll().execute();
      assert.ok(rows.some((row) => row.token_hash === hashAccessToken(token)));
      assert.ok(!JSON.stringify(rows).includes(token));
    }));

  test(`${kind}: tokens are deleted one by one or per user`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      const bob = await newUser(db, 'bob');
      const tokens: [string, string, string][] = [
        ['a1', alice.userId, await newDevice(db, alice.userId, 'A1')],
        ['a2', alice.userId, await newDevice(db, alice.userId, 'A2')],
        ['a3', alice.userId, await newDevice(db, alice.userId, 'A3')],
        ['b1', bob.userId, await newDevice(db, bob.userId, 'B1')],
      ];
      for (const [token, userId, deviceId] of tokens) {
        await createAccessToken(db, { token, userId, deviceId, now: TEST_NOW });
      }
      assert.equal(await deleteAccessToken(db, 'a1'), true);
      assert.equal(await deleteAccessToken(db, 'a1'), false);
      assert.equal(await lookupAccessToken(db, 'a1'), undefined);

      assert.equal(await deleteAccessTokensOfUser(db, alice.userId, { exceptDeviceId: 'A3' }), 1);
      assert.equal(await lookupAccessToken(db, 'a2'), undefined);
      assert.equal((await lookupAccessToken(db, 'a3'))?.deviceId, 'A3');
      assert.equal(await deleteAccessTokensOfUser(db, alice.userId), 1);
      assert.equal(await lookupAccessToken(db, 'a3'), undefined);
      assert.equal((await lookupAccessToken(db, 'b1'))?.userId, bob.userId);
    }));
}
