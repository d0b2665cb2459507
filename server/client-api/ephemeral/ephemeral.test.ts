// Receipts, read markers and typing on both databases: through the endpoints, out through the
// /sync sources (server/ephemeral/ephemeral-sources.ts), waking the sync notifier; typing timeouts
// with a hand-driven clock; refused requests change nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';
import { receiptsSource, typingSource } from '../../ephemeral/ephemeral-sources.ts';
import { typingTrackerFor } from '../../ephemeral/typing-tracker.ts';
import { getAccountData } from '../../storage/account-data.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: receipts (public, private, threaded) and read markers`, (t) =>
    withClient(t, kind, async (client) => {
      const { ctx } = client;
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.setMembership(bob, roomId, bob.userId, 'join');
      const m1 = await rooms.send(alice, roomId, { body: 'm1' });
      const m2 = await rooms.send(alice, roomId, { body: 'm2' });
      const root = await rooms.send(alice, roomId, { body: 'root' });
      const reply = await rooms.send(alice, roomId, {
        body: 'in thread',
        'm.relates_to': { rel_type: 'm.thread', event_id: root },
      });
      const receipt = (as: typeof bob, type: string, eventId: string, body: unknown = {}) =>
        client.call('POST', `${roomPath(roomId)}/receipt/${type}/${encodeURIComponent(eventId)}`, {
          token: as.accessToken,
          body,
        });
      const collect = async (userId: string, since?: number) => {
        const upTo = await receiptsSource.currentPosition(ctx);
        const events = await receiptsSource.collect(ctx, {
          userId,
          roomIds: [roomId],
          since,
          upTo,
          filter: undefined,
        });
        return { upTo, content: events.get(roomId)?.[0]?.content };
      };

      const mark = ctx.sync.notifier.mark();
      assert.deepEqual((await receipt(bob, 'm.read', m2)).body, {});
      assert.ok(ctx.sync.notifier.mark() > mark, 'the receipt woke /sync');
      const first = await collect(alice.userId);
      assert.deepEqual(Object.keys(first.content ?? {}), [m2]);
      const bobRead = (first.content as Record<string, Record<string, Record<string, object>>>)[
        m2
      ]!['m.read']![bob.userId];
      assert.deepEqual(bobRead, { ts: ctx.now() });

      // An older receipt is accepted and ignored: receipts only move forward.
      assert.equal((await receipt(bob, 'm.read', m1)).status, 200);
      assert.equal((await collect(alice.userId, first.upTo)).content, undefined);

      // A private receipt is its owner's alone.
      assert.equal((await receipt(bob, 'm.read.private', reply)).status, 200);
      assert.equal((await collect(alice.userId, first.upTo)).content, undefined);
      const own = await collect(bob.userId, first.upTo);
      assert.deepEqual(Object.keys(own.content ?? {}), [reply]);

      // Threaded receipts: the event must be in the thread named.
      assert.equal((await receipt(bob, 'm.read', reply, { thread_id: root })).status, 200);
      assert.equal((await receipt(bob, 'm.read', m2, { thread_id: 'main' })).status, 200);
      assert.equal((await receipt(bob, 'm.read', root, { thread_id: root })).status, 200);
      const threaded = await collect(alice.userId, own.upTo);
      assert.deepEqual(
        (threaded.content as Record<string, Record<string, Record<string, object>>>)[reply]![
          'm.read'
        ]![bob.userId],
        { ts: ctx.now(), thread_id: root },
      );

      const tables = ['receipts', 'account_data'] as const;
      const before = await snapshotTables(client.db, tables);
      const refused: [Promise<{ status: number; body: { errcode: string } }>, number, string][] = [
        [receipt(bob, 'm.read', reply, { thread_id: 'main' }), 400, 'M_INVALID_PARAM'],
        [receipt(bob, 'm.read', m2, { thread_id: root }), 400, 'M_INVALID_PARAM'],
        [receipt(bob, 'm.read', m2, { thread_id: '' }), 400, 'M_BAD_JSON'],
        [receipt(bob, 'm.read', m2, { thread_id: 5 }), 400, 'M_BAD_JSON'],
        [receipt(bob, 'm.fully_read', m2, { thread_id: 'main' }), 400, 'M_INVALID_PARAM'],
        [receipt(bob, 'm.nope', m2), 400, 'M_INVALID_PARAM'],
        [receipt(bob, 'm.read', '$unknown'), 404, 'M_NOT_FOUND'],
        [receipt(carol, 'm.read', m2), 403, 'M_FORBIDDEN'],
        [
          client.call('POST', `${roomPath(roomId)}/read_markers`, {
            token: bob.accessToken,
            body: { 'm.fully_read': m2, 'm.read': '$unknown' },
          }),
          404,
          'M_NOT_FOUND',
        ],
        [
          client.call('POST', `${roomPath(roomId)}/read_markers`, {
            token: bob.accessToken,
            body: { 'm.fully_read': 7 },
          }),
          400,
          'M_BAD_JSON',
        ],
        [
          client.call('POST', `${roomPath(roomId)}/read_markers`, {
            token: carol.accessToken,
            body: { 'm.fully_read': m2 },
          }),
          403,
          'M_FORBIDDEN',
        ],
      ];
      for (const [pending, status, errcode] of refused) assertError(await pending, status, errcode);
      assert.equal(await snapshotTables(client.db, tables), before, 'nothing stored');

      // The fully-read marker is room account data, set by either endpoint, only forward.
      assert.equal((await receipt(bob, 'm.fully_read', m2)).status, 200);
      assert.deepEqual(await getAccountData(client.db, bob.userId, roomId, 'm.fully_read'), {
        event_id: m2,
      });
      const markers = await client.call('POST', `${roomPath(roomId)}/read_markers`, {
        token: bob.accessToken,
        body: { 'm.fully_read': reply, 'm.read': reply, 'm.read.private': reply },
      });
      assert.equal(markers.status, 200);
      assert.deepEqual(await getAccountData(client.db, bob.userId, roomId, 'm.fully_read'), {
        event_id: reply,
      });
      assert.equal((await receipt(bob, 'm.fully_read', m1)).status, 200);
      assert.deepEqual(await getAccountData(client.db, bob.userId, roomId, 'm.fully_read'), {
        event_id: reply,
      });
      const latest = await collect(alice.userId);
      const readers = (latest.content as Record<string, Record<string, Record<string, object>>>)[
        reply
      ]!['m.read']!;
      assert.ok(bob.userId in readers);
      // A filter without m.receipt gets none.
      const filtered = await receiptsSource.collect(ctx, {
        userId: alice.userId,
        roomIds: [roomId],
        since: undefined,
        upTo: latest.upTo,
        filter: { not_types: ['m.receipt'] },
      });
      assert.equal(filtered.size, 0);
    }));

  test(`${kind}: typing starts, stops and times out`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.setMembership(bob, roomId, bob.userId, 'join');
      // The harness's clock stands still; this test drives one of its own.
      let clock = 1_000_000;
      const typing = typingTrackerFor(client.ctx.sync.notifier, () => clock);
      t.after(() => typing.close());
      Object.assign(client.ctx, { typing });

      const put = (as: typeof alice, userId: string, body: unknown) =>
        client.call('PUT', `${roomPath(roomId)}/typing/${encodeURIComponent(userId)}`, {
          token: as.accessToken,
          body,
        });
      const collect = async (since?: number) => {
        const upTo = await typingSource.currentPosition(client.ctx);
        const events = await typingSource.collect(client.ctx, {
          userId: bob.userId,
          roomIds: [roomId],
          since,
          upTo,
          filter: undefined,
        });
        return { upTo, typing: events.get(roomId)?.[0] };
      };

      assert.equal((await collect()).typing, undefined);
      const mark = client.ctx.sync.notifier.mark();
      assert.deepEqual(
        (await put(alice, alice.userId, { typing: true, timeout: 10_000 })).body,
        {},
      );
      assert.ok(client.ctx.sync.notifier.mark() > mark, 'typing woke /sync');
      assert.equal((await put(bob, bob.userId, { typing: true })).status, 200);
      const started = await collect();
      assert.deepEqual(started.typing, {
        type: 'm.typing',
        content: { user_ids: [alice.userId, bob.userId].sort() },
      });

      clock += 10_000; // alice's timeout; bob's default 30 s runs on
      const expired = await collect(started.upTo);
      assert.deepEqual(expired.typing?.content, { user_ids: [bob.userId] });
      assert.equal((await put(bob, bob.userId, { typing: false })).status, 200);
      const stopped = await collect(expired.upTo);
      assert.deepEqual(stopped.typing?.content, { user_ids: [] });
      assert.equal((await collect(stopped.upTo)).typing, undefined, 'nothing new');

      // A long timeout is capped at two minutes.
      assert.equal(
        (await put(alice, alice.userId, { typing: true, timeout: 999_999_999 })).status,
        200,
      );
      clock += 120_000;
      assert.deepEqual(client.ctx.typing.usersTyping(roomId), []);

      assertError(await put(alice, bob.userId, { typing: true }), 403, 'M_FORBIDDEN');
      assertError(await put(carol, carol.userId, { typing: true }), 403, 'M_FORBIDDEN');
      assertError(await put(alice, alice.userId, { timeout: 5 }), 400, 'M_BAD_JSON');
      assertError(await put(alice, alice.userId, { typing: 'yes' }), 400, 'M_BAD_JSON');
      assertError(await put(alice, alice.userId, { typing: true, timeout: -1 }), 400, 'M_BAD_JSON');
      assert.deepEqual(client.ctx.typing.usersTyping(roomId), []);
    }));
}
