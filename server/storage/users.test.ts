import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newUser,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  createUser,
  getUserById,
  getUserByLocalpart,
  listUsers,
  setAdmin,
  setPasswordHash,
  UserExistsError,
} from './users.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a created user reads back by id and by localpart`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const created = await createUser(db, {
        userId: '@alice:example.org',
        localpart: 'alice',
        passwordHash: 'scrypt$hash',
        isAdmin: true,
        now: TEST_NOW,
      });
      const expected = {
        userId: '@alice:example.org',
        localpart: 'alice',
        passwordHash: 'scrypt$hash',
        isAdmin: true,
        isDeactivated: false,
        createdTs: TEST_NOW,
      };
      assert.deepEqual(created, expected);
      assert.deepEqual(await getUserById(db, '@alice:example.org'), expected);
      assert.deepEqual(await getUserByLocalpart(db, 'alice'), expected);
      assert.equal(await getUserById(db, '@bob:example.org'), undefined);
      assert.equal(await getUserByLocalpart(db, 'bob'), undefined);
    }));

  test(`${kind}: a taken user id or localpart gives UserExistsError and keeps the row`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice', { passwordHash: 'original' });
      await assert.rejects(newUser(db, 'alice', { passwordHash: 'other' }), UserExistsError);
      await assert.rejects(
        createUser(db, {
          userId: '@alice:elsewhere.example',
          localpart: 'alice',
          passwordHash: 'other',
          now: TEST_NOW + 1,
        }),
        (error: unknown) =>
          error instanceof UserExistsError && error.userId === '@alice:elsewhere.example',
      );
      assert.deepEqual(await getUserById(db, alice.userId), alice);
      assert.deepEqual(await listUsers(db), [alice]);
    }));

  test(`${kind}: a conflict inside a transaction does not abort it`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await newUser(db, 'alice');
      await db.transaction().execute(async (trx) => {
        await assert.rejects(newUser(trx, 'alice'), UserExistsError);
        await newUser(trx, 'bob');
      });
      assert.deepEqual(
        (await listUsers(db)).map((user) => user.localpart),
        ['alice', 'bob'],
      );
    }));

  test(`${kind}: password hash and admin flag can be changed`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      assert.equal(await setPasswordHash(db, alice.userId, 'new-hash'), true);
      assert.equal(await setAdmin(db, alice.userId, true), true);
      assert.deepEqual(await getUserById(db, alice.userId), {
        ...alice,
        passwordHash: 'new-hash',
        isAdmin: true,
      });
      assert.equal(await setPasswordHash(db, alice.userId, null), true);
      assert.equal((await getUserById(db, alice.userId))?.passwordHash, null);
      assert.equal(await setPasswordHash(db, '@nobody:example.org', 'x'), false);
      assert.equal(await setAdmin(db, '@nobody:example.org', true), false);
    }));

  test(`${kind}: listUsers pages in user id order`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      for (const localpart of ['carol', 'alice', 'dave', 'bob']) await newUser(db, localpart);
      const ids = (users: { userId: string }[]) => users.map((user) => user.userId);
      assert.deepEqual(ids(await listUsers(db, { limit: 2 })), [
        '@alice:example.org',
        '@bob:example.org',
      ]);
      assert.deepEqual(ids(await listUsers(db, { after: '@bob:example.org' })), [
        '@carol:example.org',
        '@dave:example.org',
      ]);
    }));
}

test('createUser refuses a user id that does not match the localpart', async () => {
  // Checked before any query, so no database is needed.
  await assert.rejects(
    createUser(undefined as never, {
      userId: '@bob:example.org',
      localpart: 'alice',
      passwordHash: null,
      now: TEST_NOW,
    }),
    /does not have the localpart/,
  );
});
