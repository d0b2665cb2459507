import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  deleteInboxUpTo,
  type InboxDelivery,
  readInbox,
  storeToDeviceMessages,
} from './to-device.ts';

const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';

function delivery(userId: string, deviceId: string, n: number): InboxDelivery {
  return { userId, deviceId, message: { type: 'm.test', sender: ALICE, content: { n } } };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: to-device inboxes: store many, read after a position, delete on acknowledgement`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const claim = (txnId: string) =>
        ({ kind: 'txn', userId: ALICE, deviceId: 'A1', txnId }) as const;
      assert.equal(
        await storeToDeviceMessages(
          db,
          claim('t1'),
          [delivery(BOB, 'B1', 1), delivery(BOB, 'B2', 1), delivery(ALICE, 'A2', 1)],
          TEST_NOW,
        ),
        true,
      );
      assert.equal(
        await storeToDeviceMessages(db, claim('t2'), [delivery(BOB, 'B1', 2)], TEST_NOW),
        true,
      );
      // A retried txnId stores nothing; the same txnId from another device is its own.
      assert.equal(
        await storeToDeviceMessages(db, claim('t2'), [delivery(BOB, 'B1', 3)], TEST_NOW),
        false,
      );
      const otherDevice = { kind: 'txn', userId: ALICE, deviceId: 'A2', txnId: 't2' } as const;
      assert.equal(
        await storeToDeviceMessages(db, otherDevice, [delivery(BOB, 'B1', 4)], TEST_NOW),
        true,
      );

      const b1 = await readInbox(db, BOB, 'B1', 0, 100);
      assert.deepEqual(
        b1.map((m) => m.message),
        [1, 2, 4].map((n) => ({ type: 'm.test', sender: ALICE, content: { n } })),
      );
      assert.ok(b1[0]!.streamId < b1[1]!.streamId && b1[1]!.streamId < b1[2]!.streamId);
      assert.deepEqual(
        (await readInbox(db, BOB, 'B1', 0, 2)).map((m) => m.streamId),
        [b1[0]!.streamId, b1[1]!.streamId],
      );
      assert.deepEqual(
        (await readInbox(db, BOB, 'B1', b1[0]!.streamId, 100)).map((m) => m.message.content.n),
        [2, 4],
      );
      assert.equal((await readInbox(db, BOB, 'B2', 0, 100)).length, 1);
      assert.equal((await readInbox(db, ALICE, 'A2', 0, 100)).length, 1);
      assert.equal((await readInbox(db, ALICE, 'A1', 0, 100)).length, 0);

      // Acknowledging deletes that device's messages up to the position, and only those.
      assert.equal(await deleteInboxUpTo(db, BOB, 'B1', b1[1]!.streamId), 2);
      assert.deepEqual(
        (await readInbox(db, BOB, 'B1', 0, 100)).map((m) => m.message.content.n),
        [4],
      );
      assert.equal((await readInbox(db, BOB, 'B2', 0, 100)).length, 1);
      assert.equal(await deleteInboxUpTo(db, BOB, 'B1', b1[1]!.streamId), 0);
    }));

  test(`${kind}: inbound message ids are taken once per origin, even with nothing to store`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const remote = (origin: string, messageId: string) =>
        ({ kind: 'remote', origin, messageId }) as const;
      assert.equal(await storeToDeviceMessages(db, remote('a.test', 'm1'), [], TEST_NOW), true);
      assert.equal(
        await storeToDeviceMessages(db, remote('a.test', 'm1'), [delivery(BOB, 'B1', 1)], TEST_NOW),
        false,
      );
      assert.equal(
        await storeToDeviceMessages(db, remote('b.test', 'm1'), [delivery(BOB, 'B1', 2)], TEST_NOW),
        true,
      );
      assert.deepEqual(
        (await readInbox(db, BOB, 'B1', 0, 100)).map((m) => m.message.content.n),
        [2],
      );
    }));

  test(`${kind}: concurrent writers' stream ids become visible in order`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const writes = Array.from({ length: 20 }, (_, i) =>
        storeToDeviceMessages(
          db,
          { kind: 'txn', userId: ALICE, deviceId: 'A1', txnId: `c${i}` },
          [delivery(BOB, 'B1', i)],
          TEST_NOW,
        ),
      );
      // A reader racing the writers only ever sees a prefix of the stream ids handed out.
      const seen: number[][] = [];
      const reading = (async () => {
        for (let i = 0; i < 10; i += 1) {
          seen.push((await readInbox(db, BOB, 'B1', 0, 100)).map((m) => m.streamId));
        }
      })();
      await Promise.all([...writes, reading]);
      const all = (await readInbox(db, BOB, 'B1', 0, 100)).map((m) => m.streamId);
      assert.equal(all.length, 20);
      for (const ids of seen) assert.deepEqual(ids, all.slice(0, ids.length));
    }));
}
