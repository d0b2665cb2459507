// GET /sync under concurrency, on both databases: every event reaches every member exactly once
// and in order while many are sent at once; an event is not returned while a lower position is
// still in flight, and the wait it causes ends when that position settles; a client that goes
// away frees its wait; tokens stay valid for a new process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../../conformance-tests/support/test-context.ts';
import { buildClientApp } from '../../app.ts';
import { parseSyncToken } from '../../sync/stream-token.ts';
import { bodies, fixtures, type Json, syncUrl } from './sync-fixtures.ts';

const USERS = 4;
const ROOMS = 4;
const MESSAGES = 200;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: ${MESSAGES} concurrent messages reach each member once and in order`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const users = await Promise.all(
        Array.from({ length: USERS }, (_, i) => client.newAccount(`user${i}`)),
      );
      const rooms: string[] = [];
      for (let r = 0; r < ROOMS; r++) {
        const roomId = await f.createRoom(users[0]!, { preset: 'public_chat' });
        for (const user of users.slice(1)) await f.membership(user, roomId, 'join');
        rooms.push(roomId);
      }
      const filter = { room: { timeline: { limit: 1000, types: ['m.room.message'] } } };
      const tokens = await Promise.all(
        users.map(async (u) => (await f.sync(u, { filter })).next_batch),
      );

      // Jitter between taking a stream position and committing, so that rooms commit out of
      // position order, as slow transactions do.
      const stream = client.ctx.eventStream;
      const allocate = stream.allocate.bind(stream);
      stream.allocate = async (trx) => {
        const position = await allocate(trx);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 60));
        return position;
      };

      const received = users.map(() => new Map<string, string[]>(rooms.map((r) => [r, []])));
      let sendsDone = false;
      const syncLoop = async (i: number) => {
        let since = tokens[i]!;
        const total = () => [...received[i]!.values()].reduce((n, list) => n + list.length, 0);
        while (total() < MESSAGES) {
          const sync = await f.sync(users[i]!, { since, filter, timeout: sendsDone ? 0 : 500 });
          for (const roomId of rooms) {
            const room = sync.rooms.join[roomId];
            if (!room) continue;
            assert.equal(room.timeline.limited, false);
            received[i]!.get(roomId)!.push(...room.timeline.events.map((e: Json) => e.event_id));
          }
          since = sync.next_batch;
          // A client's round trip: events arriving meanwhile are batched into the next sync.
          await new Promise((resolve) => setTimeout(resolve, 30));
          if (sendsDone && sync.rooms.join && Object.keys(sync.rooms.join).length === 0) {
            assert.equal(total(), MESSAGES, `user${i} got every message once all were sent`);
          }
        }
      };
      const loops = users.map((_, i) => syncLoop(i));
      await Promise.all(
        Array.from({ length: MESSAGES }, (_, n) =>
          f.send(users[Math.floor(n / ROOMS) % USERS]!, rooms[n % ROOMS]!, `n${n}`),
        ),
      );
      sendsDone = true;
      await Promise.all(loops);

      for (const roomId of rooms) {
        const stored = await client.db
          .selectFrom('events')
          .select('event_id')
          .where('room_id', '=', roomId)
          .where('type', '=', 'm.room.message')
          .orderBy('stream_ordering')
          .execute();
        const inOrder = stored.map((row) => row.event_id);
        assert.equal(inOrder.length, MESSAGES / ROOMS);
        for (let i = 0; i < USERS; i++) {
          assert.deepEqual(received[i]!.get(roomId), inOrder, `user${i}, ${roomId}`);
        }
      }
    }));

  test(`${kind}: positions in flight hold later events back; tokens outlive the process`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const roomA = await f.createRoom(alice, {});
      const roomB = await f.createRoom(alice, {});
      const start = await f.sync(alice);
      const { eventStream } = client.ctx;

      // A position taken by a transaction that has not committed yet (room A's, say).
      const inFlight = await eventStream.allocate(client.db);
      await f.send(alice, roomB, 'committed after');
      const early = await f.sync(alice, { since: start.next_batch });
      assert.deepEqual(early.rooms.join, {}, 'room B waits for the lower position');
      assert.equal(parseSyncToken(early.next_batch).e, inFlight - 1);

      const waiting = f.sync(alice, { since: early.next_batch, timeout: 20_000 });
      while (client.ctx.sync.notifier.waiting < 1) await new Promise((r) => setTimeout(r, 5));
      eventStream.finish(inFlight);
      const released = await waiting;
      assert.deepEqual(bodies(released, roomB), ['committed after']);
      assert.deepEqual(released.rooms.join[roomA], undefined);

      // A new process on the same database takes the token as it is.
      await f.send(alice, roomA, 'after restart');
      const restarted = buildClientApp(buildTestContext(client.db));
      const response = await restarted.inject({
        method: 'GET',
        url: syncUrl({ since: released.next_batch }),
        headers: { authorization: `Bearer ${alice.accessToken}` },
      });
      client.spec.assertResponse({
        method: 'GET',
        path: '/_matrix/client/v3/sync',
        status: 200,
        body: response.json(),
      });
      assert.deepEqual(bodies(response.json(), roomA), ['after restart']);
      assert.deepEqual(Object.keys(response.json().rooms.join), [roomA]);
      await restarted.close();
    }));

  test(`${kind}: a client that goes away frees its wait`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const { next_batch } = await f.sync(alice);
      const address = await client.app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const controller = new AbortController();
        const request = fetch(`${address}${syncUrl({ since: next_batch, timeout: 60_000 })}`, {
          headers: { authorization: `Bearer ${alice.accessToken}` },
          signal: controller.signal,
        }).catch((err: unknown) => err);
        const { notifier } = client.ctx.sync;
        while (notifier.waiting < 1) await new Promise((r) => setTimeout(r, 5));
        controller.abort();
        assert.ok((await request) instanceof Error);
        const deadline = Date.now() + 5000;
        while (notifier.waiting > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 5));
        }
        assert.equal(notifier.waiting, 0);
      } finally {
        await client.app.close();
      }
    }));
}
