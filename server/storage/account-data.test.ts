import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newUser,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  deleteAllAccountData,
  GLOBAL_ACCOUNT_DATA,
  getAccountData,
  getAccountDataChanges,
  maxAccountDataStreamId,
  setAccountData,
} from './account-data.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: account data upserts, and every write moves to a new stream position`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      const bob = await newUser(db, 'bob');
      assert.equal(await maxAccountDataStreamId(db), 0);
      const write = (userId: string, roomId: string, type: string, content: object) =>
        setAccountData(db, { userId, roomId, type, content: content as Record<string, unknown> });

      const a1 = await write(alice.userId, GLOBAL_ACCOUNT_DATA, 'x', { v: 1 });
      const a2 = await write(alice.userId, '!room:example.org', 'x', { v: 2 });
      const b1 = await write(bob.userId, GLOBAL_ACCOUNT_DATA, 'x', { v: 3 });
      const a3 = await write(alice.userId, GLOBAL_ACCOUNT_DATA, 'x', { v: 4 });
      assert.ok(a1 < a2 && a2 < b1 && b1 < a3);
      assert.equal(await maxAccountDataStreamId(db), a3);
      assert.deepEqual(await getAccountData(db, alice.userId, GLOBAL_ACCOUNT_DATA, 'x'), { v: 4 });
      assert.deepEqual(await getAccountData(db, alice.userId, '!room:example.org', 'x'), { v: 2 });
      assert.equal(await getAccountData(db, alice.userId, GLOBAL_ACCOUNT_DATA, 'y'), undefined);

      assert.deepEqual(await getAccountDataChanges(db, alice.userId), [
        { roomId: '!room:example.org', type: 'x', content: { v: 2 }, streamId: a2 },
        { roomId: '', type: 'x', content: { v: 4 }, streamId: a3 },
      ]);
      assert.deepEqual(
        (await getAccountDataChanges(db, alice.userId, a2)).map((c) => c.streamId),
        [a3],
      );
      await deleteAllAccountData(db, alice.userId);
      assert.deepEqual(await getAccountDataChanges(db, alice.userId), []);
      assert.equal((await getAccountDataChanges(db, bob.userId)).length, 1);
    }));
}
