// Inbound EDUs on both databases: typing, receipts and presence of the sending server's joined
// users are taken (and reach what /sync reads); anything else, malformed or not, is left
// without an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { receiptEvents } from '../../server/ephemeral/ephemeral-sources.ts';
import { createRoom } from '../../server/rooms/create-room.ts';
import { type RoomDeps, roomDepsOf } from '../../server/rooms/room-deps.ts';
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import { getPresence } from '../../server/storage/presence.ts';
import { getReceiptsBetween, maxReceiptStreamId } from '../../server/storage/receipts.ts';
import { receiveEdus } from './receive-edus.ts';

const alice = `@alice:${TEST_SERVER_NAME}`;
const bob = '@bob:remote.test';
const dan = '@dan:remote.test';
const carol = '@carol:other.test';

async function setUp(deps: RoomDeps) {
  const roomId = await createRoom(deps, {
    creator: alice,
    version: getRoomVersion('10')!,
    preset: 'public_chat',
    isPublic: false,
    invite: [],
    initialState: [],
    isDirect: false,
  });
  for (const user of [bob, carol]) {
    await sendLocalEvent(deps, roomId, {
      type: 'm.room.member',
      sender: user,
      stateKey: user,
      content: { membership: 'join' },
    });
  }
  const say = (body: string) =>
    sendLocalEvent(deps, roomId, {
      type: 'm.room.message',
      sender: alice,
      content: { msgtype: 'm.text', body },
    });
  return { roomId, first: await say('first'), second: await say('second') };
}

const typing = (roomId: string, userId: string, on: boolean) => ({
  edu_type: 'm.typing',
  content: { room_id: roomId, user_id: userId, typing: on },
});

const receipt = (roomId: string, userId: string, eventId: string, data: object) => ({
  edu_type: 'm.receipt',
  content: { [roomId]: { 'm.read': { [userId]: { event_ids: [eventId], data } } } },
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: m.typing of the origin's joined users`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ctx = buildTestContext(db);
      const deps = roomDepsOf(ctx);
      const { roomId } = await setUp(deps);
      await receiveEdus(ctx, 'remote.test', [
        typing(roomId, bob, true),
        typing(roomId, dan, true), // not in the room
        typing(roomId, carol, true), // not remote.test's user
      ]);
      assert.deepEqual(ctx.typing.usersTyping(roomId), [bob]);
      await receiveEdus(ctx, 'other.test', [typing(roomId, bob, false)]);
      assert.deepEqual(ctx.typing.usersTyping(roomId), [bob], 'other.test speaks for its own');
      await receiveEdus(ctx, 'remote.test', [typing(roomId, bob, false)]);
      assert.deepEqual(ctx.typing.usersTyping(roomId), []);

      // A server the room's ACL denies is not heard.
      await sendLocalEvent(deps, roomId, {
        type: 'm.room.server_acl',
        stateKey: '',
        sender: alice,
        content: { allow: ['*'], deny: ['remote.test'] },
      });
      await receiveEdus(ctx, 'remote.test', [typing(roomId, bob, true)]);
      await receiveEdus(ctx, 'other.test', [typing(roomId, carol, true)]);
      assert.deepEqual(ctx.typing.usersTyping(roomId), [carol]);
    }));

  test(`${kind}: m.receipt of the origin's joined users is stored for /sync, forward only`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ctx = buildTestContext(db);
      const { roomId, first, second } = await setUp(roomDepsOf(ctx));
      const stored = async () => getReceiptsBetween(db, [roomId], 0, await maxReceiptStreamId(db));

      await receiveEdus(ctx, 'remote.test', [
        receipt(roomId, bob, second.eventId, { ts: 1234 }),
        receipt(roomId, dan, second.eventId, { ts: 1 }), // not in the room
        receipt(roomId, carol, second.eventId, { ts: 1 }), // not remote.test's user
        receipt(roomId, bob, '$unknown', { ts: 2 }), // no such event
        {
          edu_type: 'm.receipt',
          content: {
            [roomId]: {
              'm.read.private': { [bob]: { event_ids: [first.eventId], data: { ts: 3 } } },
            },
          },
        },
      ]);
      // An older event does not move the receipt back.
      await receiveEdus(ctx, 'remote.test', [receipt(roomId, bob, first.eventId, { ts: 5 })]);
      const receipts = await stored();
      assert.deepEqual(
        receipts.map(({ userId, receiptType, eventId, ts, threadId }) => ({
          userId,
          receiptType,
          eventId,
          ts,
          threadId,
        })),
        [{ userId: bob, receiptType: 'm.read', eventId: second.eventId, ts: 1234, threadId: '' }],
      );
      assert.deepEqual(
        receiptEvents(receipts, alice).get(roomId),
        [
          {
            type: 'm.receipt',
            content: { [second.eventId]: { 'm.read': { [bob]: { ts: 1234 } } } },
          },
        ],
        'what /sync shows',
      );

      // Threaded: kept with its thread; a thread the event is not in is refused.
      await receiveEdus(ctx, 'other.test', [
        receipt(roomId, carol, second.eventId, { ts: 7, thread_id: 'main' }),
        receipt(roomId, carol, first.eventId, { ts: 8, thread_id: '$not-a-thread' }),
      ]);
      assert.deepEqual(
        (await stored()).filter((each) => each.userId === carol).map((each) => each.threadId),
        ['main'],
      );
    }));

  test(`${kind}: m.presence of the origin's users who share a room with us`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ctx = buildTestContext(db);
      await setUp(roomDepsOf(ctx));
      await receiveEdus(ctx, 'remote.test', [
        {
          edu_type: 'm.presence',
          content: {
            push: [
              {
                user_id: bob,
                presence: 'online',
                last_active_ago: 1000,
                currently_active: true,
                status_msg: 'cooking',
              },
              { user_id: dan, presence: 'online', last_active_ago: 0 }, // in no room
              { user_id: carol, presence: 'online', last_active_ago: 0 }, // other.test's
              { user_id: bob, presence: 'dancing', last_active_ago: 0 }, // not a state
            ],
          },
        },
      ]);
      const stored = await getPresence(db, bob);
      assert.equal(stored?.state, 'online');
      assert.equal(stored?.statusMsg, 'cooking');
      assert.equal(stored?.currentlyActive, true);
      assert.equal(stored?.lastActiveTs, ctx.now() - 1000);
      assert.equal(await getPresence(db, dan), undefined);
      assert.equal(await getPresence(db, carol), undefined);
    }));

  test(`${kind}: malformed EDUs and unknown types are left without an error`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ctx = buildTestContext(db);
      const { roomId, second } = await setUp(roomDepsOf(ctx));
      await receiveEdus(ctx, 'remote.test', [
        null,
        1,
        'm.typing',
        [],
        { edu_type: 'm.typing' },
        { edu_type: 'm.typing', content: [] },
        { edu_type: 'm.typing', content: { room_id: roomId, user_id: bob, typing: 'yes' } },
        { edu_type: 'm.typing', content: { room_id: 5, user_id: bob, typing: true } },
        {
          edu_type: 'm.typing',
          content: { room_id: roomId, user_id: 'remote.test', typing: true },
        },
        { edu_type: 'm.receipt', content: { [roomId]: 5 } },
        { edu_type: 'm.receipt', content: { [roomId]: { 'm.read': [] } } },
        { edu_type: 'm.receipt', content: { [roomId]: { 'm.read': { [bob]: null } } } },
        receipt(roomId, bob, second.eventId, { ts: 'soon', thread_id: 5 }),
        {
          edu_type: 'm.receipt',
          content: { [roomId]: { 'm.read': { [bob]: { event_ids: second.eventId, data: {} } } } },
        },
        { edu_type: 'm.receipt', content: { '!nowhere:remote.test': { 'm.read': {} } } },
        { edu_type: 'm.presence', content: { push: 'everyone' } },
        { edu_type: 'm.presence', content: { push: [null, { user_id: bob }] } },
        { edu_type: 'm.presence', content: { push: [{ user_id: bob, presence: 'online' }] } },
        { edu_type: '__proto__', content: {} },
        { edu_type: 'm.device_list_update', content: { user_id: bob } },
        { edu_type: 'org.example.custom', content: { anything: true } },
      ]);
      assert.deepEqual(ctx.typing.usersTyping(roomId), []);
      assert.equal(await maxReceiptStreamId(db), 0);
      assert.equal(await getPresence(db, bob), undefined);
    }));
}
