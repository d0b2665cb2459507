// Inbound m.direct_to_device on both databases, through receiveEdus: messages from the sending
// server's users reach our users' devices (`*` all of them) and wake /sync; a resent message_id,
// another server's sender, other servers' recipients and malformed parts are left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newDevice,
  newUser,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { readInbox } from '../../server/storage/to-device.ts';
import { receiveEdus } from './receive-edus.ts';

const ORIGIN = 'remote.test';
const SENDER = `@bob:${ORIGIN}`;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: inbound to-device messages reach local devices once`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ctx = buildTestContext(db);
      const alice = await newUser(db, 'alice');
      const carol = await newUser(db, 'carol');
      for (const [userId, deviceId] of [
        [alice.userId, 'A1'],
        [alice.userId, 'A2'],
        [carol.userId, 'C1'],
      ] as const) {
        await newDevice(db, userId, deviceId);
      }
      const edu = (messageId: string, sender: string, messages: object) => ({
        edu_type: 'm.direct_to_device',
        content: { sender, type: 'm.room_key', message_id: messageId, messages },
      });
      const inbox = async (userId: string, deviceId: string) =>
        (await readInbox(db, userId, deviceId, 0, 100)).map((m) => m.message);

      const mark = ctx.sync.notifier.mark();
      await receiveEdus(ctx, ORIGIN, [
        edu('m1', SENDER, {
          [alice.userId]: { A1: { k: 1 }, NOPE: { k: 0 } },
          [carol.userId]: { '*': { k: 2 } },
          '@zed:elsewhere.test': { Z: { k: 0 } },
        }),
      ]);
      assert.ok(ctx.sync.notifier.mark() > mark, 'the message woke /sync');
      assert.deepEqual(await inbox(alice.userId, 'A1'), [
        { type: 'm.room_key', sender: SENDER, content: { k: 1 } },
      ]);
      assert.deepEqual(await inbox(alice.userId, 'A2'), []);
      assert.deepEqual(await inbox(carol.userId, 'C1'), [
        { type: 'm.room_key', sender: SENDER, content: { k: 2 } },
      ]);

      await receiveEdus(ctx, ORIGIN, [
        // Resent: the message_id was taken.
        edu('m1', SENDER, { [alice.userId]: { A2: { k: 3 } } }),
        // A sender of another server: this one may not speak for them.
        edu('m2', `@eve:${TEST_SERVER_NAME}`, { [alice.userId]: { A2: { k: 4 } } }),
        // Malformed: no message_id, messages not an object, device content not an object.
        { edu_type: 'm.direct_to_device', content: { sender: SENDER, type: 'x', messages: {} } },
        edu('m3', SENDER, []),
        edu('m4', SENDER, { [alice.userId]: { A2: 'text' } }),
      ]);
      assert.deepEqual(await inbox(alice.userId, 'A2'), []);

      // The same message_id from another server is its own message.
      await receiveEdus(ctx, 'other.test', [
        edu('m1', '@olga:other.test', { [alice.userId]: { '*': { k: 5 } } }),
      ]);
      assert.deepEqual(
        (await inbox(alice.userId, 'A2')).map((m) => m.content),
        [{ k: 5 }],
      );
      assert.equal((await inbox(alice.userId, 'A1')).length, 2);
    }));
}
