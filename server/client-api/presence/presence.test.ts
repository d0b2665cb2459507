// Presence on both databases, every response checked against the spec: PUT and GET
// /presence/{userId}/status and who may use them, /sync's set_presence and `presence` section
// (room-mates only, once per change, waking long-polls, the presence filter), and timeouts with a
// hand-driven clock. Refused requests change nothing.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  snapshotTables,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  ACTIVE_WINDOW_MS,
  IDLE_TIMEOUT_MS,
  SYNC_TIMEOUT_MS,
} from '../../presence/presence-state.ts';
import { fixtures, type Json, type SyncParams, syncUrl } from '../sync/sync-fixtures.ts';

const statusPath = (userId: string) =>
  `/_matrix/client/v3/presence/${encodeURIComponent(userId)}/status`;

function presenceClient(client: ClientHarness) {
  return {
    get: (as: TestAccount, userId: string) =>
      client.call('GET', statusPath(userId), { token: as.accessToken }),
    put: (as: TestAccount, userId: string, body: unknown) =>
      client.call('PUT', statusPath(userId), { token: as.accessToken, body }),
    async sync(as: TestAccount, params: SyncParams & { set_presence?: string } = {}) {
      const { set_presence, ...rest } = params;
      const url = syncUrl(rest);
      const query = set_presence === undefined ? '' : `set_presence=${set_presence}`;
      const full = query === '' ? url : `${url}${url.includes('?') ? '&' : '?'}${query}`;
      const response = await client.call('GET', full, { token: as.accessToken });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body as Json;
    },
  };
}

/** The presence events of a sync response, by sender. */
function presenceOf(sync: Json): Record<string, Json> {
  const events: Json[] = sync.presence.events;
  assert.ok(events.every((event) => event.type === 'm.presence'));
  const senders = events.map((event) => event.sender);
  assert.equal(new Set(senders).size, senders.length, 'one event per user');
  return Object.fromEntries(events.map((event) => [event.sender, event.content]));
}

async function waitUntilWaiting(client: ClientHarness, count: number): Promise<void> {
  while (client.ctx.sync.notifier.waiting < count) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Replaces the context's fixed clock with one the test moves. */
function driveClock(client: ClientHarness): { advance(ms: number): void } {
  let now = client.ctx.now();
  (client.ctx as { now: () => number }).now = () => now;
  return {
    advance(ms) {
      now += ms;
    },
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: set and get presence; who may look; bad input refused`, (t) =>
    withClient(t, kind, async (client) => {
      const p = presenceClient(client);
      const rooms = fixtures(client);
      const clock = driveClock(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.membership(bob, roomId, 'join');

      assert.deepEqual((await p.get(alice, alice.userId)).body, {
        presence: 'offline',
        currently_active: false,
      });
      assert.deepEqual(
        (await p.put(alice, alice.userId, { presence: 'online', status_msg: 'Hi' })).body,
        {},
      );
      clock.advance(1200);
      const expected = {
        presence: 'online',
        last_active_ago: 1200,
        currently_active: true,
        status_msg: 'Hi',
      };
      assert.deepEqual((await p.get(alice, alice.userId)).body, expected);
      assert.deepEqual((await p.get(bob, alice.userId)).body, expected, 'bob shares a room');
      assertError(await p.get(carol, alice.userId), 403, 'M_FORBIDDEN');
      assertError(await p.get(alice, '@nobody:example.org'), 404, 'M_NOT_FOUND');
      assertError(await p.get(alice, '@alice:elsewhere.example'), 404, 'M_NOT_FOUND');

      // Unavailable is not activity; a PUT without a message clears it.
      assert.equal((await p.put(alice, alice.userId, { presence: 'unavailable' })).status, 200);
      clock.advance(800);
      assert.deepEqual((await p.get(bob, alice.userId)).body, {
        presence: 'unavailable',
        last_active_ago: 2000,
        currently_active: false,
      });

      const before = await snapshotTables(client.db, ['presence']);
      const refused: [Promise<{ status: number; body: { errcode: string } }>, number, string][] = [
        [p.put(alice, bob.userId, { presence: 'online' }), 403, 'M_FORBIDDEN'],
        [p.put(alice, alice.userId, { presence: 'busy' }), 400, 'M_BAD_JSON'],
        [p.put(alice, alice.userId, { status_msg: 'no state' }), 400, 'M_BAD_JSON'],
        [p.put(alice, alice.userId, { presence: 'online', status_msg: 7 }), 400, 'M_BAD_JSON'],
        [
          p.put(alice, alice.userId, { presence: 'online', status_msg: 'x'.repeat(2049) }),
          400,
          'M_BAD_JSON',
        ],
        [
          client.call('PUT', statusPath(alice.userId), {
            token: alice.accessToken,
            rawBody: '{"presence":',
          }),
          400,
          'M_NOT_JSON',
        ],
        [
          client.call('PUT', statusPath(alice.userId), { body: { presence: 'online' } }),
          401,
          'M_MISSING_TOKEN',
        ],
        [client.call('GET', statusPath(alice.userId)), 401, 'M_MISSING_TOKEN'],
      ];
      for (const [pending, status, errcode] of refused) assertError(await pending, status, errcode);
      assert.equal(await snapshotTables(client.db, ['presence']), before, 'nothing stored');
    }));

  test(`${kind}: /sync sets presence and carries room-mates' changes once, waking long-polls`, (t) =>
    withClient(t, kind, async (client) => {
      const p = presenceClient(client);
      const rooms = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const dave = await client.newAccount('dave');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.membership(bob, roomId, 'join');
      const carolRoom = await rooms.createRoom(carol, {});

      // Syncing is being online; the user sees themself and, in an initial sync, no offline user.
      const aliceFirst = await p.sync(alice);
      assert.deepEqual(presenceOf(aliceFirst), {
        [alice.userId]: { presence: 'online', last_active_ago: 0, currently_active: true },
      });
      assert.match(aliceFirst.next_batch, /_p\d+/);
      const bobFirst = await p.sync(bob);
      assert.deepEqual(Object.keys(presenceOf(bobFirst)).sort(), [alice.userId, bob.userId]);
      // Alice learns bob came online; then nothing more.
      const aliceSecond = await p.sync(alice, { since: aliceFirst.next_batch });
      assert.deepEqual(Object.keys(presenceOf(aliceSecond)), [bob.userId]);
      const quiet = await p.sync(alice, { since: aliceSecond.next_batch });
      assert.deepEqual(presenceOf(quiet), {});
      assert.equal(quiet.next_batch, aliceSecond.next_batch);

      // Carol (no shared room) comes online: alice's wait is not woken and she hears nothing.
      // (First the coalesced wakes of the changes above go out: presence-writer.ts.)
      await new Promise((resolve) => setTimeout(resolve, 400));
      const { notifier } = client.ctx.sync;
      const wakes: { userIds?: readonly string[]; roomIds?: readonly string[] }[] = [];
      const notify = notifier.notify.bind(notifier);
      notifier.notify = (target) => {
        wakes.push(target);
        notify(target);
      };
      const started = performance.now();
      const unrelated = p.sync(alice, { since: quiet.next_batch, timeout: 500 });
      await waitUntilWaiting(client, 1);
      await p.sync(carol);
      assert.equal((await p.get(carol, carol.userId)).body.presence, 'online');
      // Presence wakes are coalesced over a quarter of a second (presence-writer.ts).
      while (wakes.length === 0 && performance.now() - started < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(wakes, [{ userIds: [carol.userId], roomIds: [carolRoom] }]);
      const timedOut = await unrelated;
      assert.ok(performance.now() - started >= 480, 'waited for the timeout');
      assert.deepEqual(presenceOf(timedOut), {});

      // Bob's change wakes alice's wait and arrives once.
      const woken = p.sync(alice, { since: timedOut.next_batch, timeout: 20_000 });
      await waitUntilWaiting(client, 1);
      const wokenAt = performance.now();
      await p.put(bob, bob.userId, { presence: 'unavailable', status_msg: 'brb' });
      const news = await woken;
      assert.deepEqual(wakes.at(-1), { userIds: [bob.userId], roomIds: [roomId] });
      assert.ok(performance.now() - wokenAt < 10_000, 'woken, not timed out');
      assert.deepEqual(presenceOf(news), {
        [bob.userId]: {
          presence: 'unavailable',
          last_active_ago: 0,
          currently_active: false,
          status_msg: 'brb',
        },
      });
      assert.deepEqual(news.rooms.join, {}, 'presence alone is news');
      assert.deepEqual(presenceOf(await p.sync(alice, { since: news.next_batch })), {});

      // set_presence: offline leaves presence alone, unavailable sets it (keeping the message).
      await p.sync(bob, { since: bobFirst.next_batch, set_presence: 'offline' });
      assert.equal((await p.get(alice, bob.userId)).body.presence, 'unavailable');
      await p.sync(bob, { since: bobFirst.next_batch, set_presence: 'online' });
      assert.equal((await p.get(alice, bob.userId)).body.presence, 'online');
      assert.equal((await p.get(alice, bob.userId)).body.status_msg, 'brb');
      await p.sync(bob, { since: bobFirst.next_batch, set_presence: 'unavailable' });
      assert.equal((await p.get(alice, bob.userId)).body.presence, 'unavailable');

      // Someone alice comes to share a room with: she hears of them although they did not change.
      const beforeDave = await p.sync(alice, { since: news.next_batch, set_presence: 'offline' });
      await p.sync(dave);
      const unchanged = await p.sync(alice, { since: beforeDave.next_batch });
      assert.equal(presenceOf(unchanged)[dave.userId], undefined, 'no shared room yet');
      await rooms.membership(dave, roomId, 'join');
      const joined = await p.sync(alice, { since: unchanged.next_batch });
      assert.equal(presenceOf(joined)[dave.userId]?.presence, 'online');
      assert.equal(presenceOf(joined)[carol.userId], undefined);
      // And the members of a room she joins.
      await rooms.membership(carol, carolRoom, 'invite', { user_id: alice.userId });
      await rooms.membership(alice, carolRoom, 'join');
      const joinedCarol = await p.sync(alice, { since: joined.next_batch });
      assert.deepEqual(Object.keys(presenceOf(joinedCarol)), [carol.userId]);

      // The presence filter: types, senders, limit.
      const filtered = async (presence: object) =>
        Object.keys(presenceOf(await p.sync(alice, { filter: { presence } }))).sort();
      assert.deepEqual(
        await filtered({}),
        [alice.userId, bob.userId, carol.userId, dave.userId].sort(),
      );
      assert.deepEqual(await filtered({ not_types: ['m.*'] }), []);
      assert.deepEqual(await filtered({ types: ['m.room.message'] }), []);
      assert.deepEqual(await filtered({ senders: [bob.userId] }), [bob.userId]);
      assert.deepEqual(await filtered({ not_senders: [bob.userId, dave.userId] }), [
        alice.userId,
        carol.userId,
      ]);
      assert.equal((await filtered({ limit: 1 })).length, 1);
      assertError(
        await client.call('GET', '/_matrix/client/v3/sync?set_presence=away', {
          token: alice.accessToken,
        }),
        400,
        'M_INVALID_PARAM',
      );
    }));

  test(`${kind}: timeouts: offline without syncs, unavailable when idle, told to room-mates`, (t) =>
    withClient(t, kind, async (client) => {
      const p = presenceClient(client);
      const rooms = fixtures(client);
      const clock = driveClock(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.membership(bob, roomId, 'join');

      const first = await p.sync(alice);
      const bobFirst = await p.sync(bob);
      // Syncing within the timeout keeps alice online; the GET applies the timeout as of now.
      clock.advance(SYNC_TIMEOUT_MS - 1000);
      const still = await p.sync(alice, { since: first.next_batch });
      clock.advance(SYNC_TIMEOUT_MS - 1000);
      assert.equal((await p.get(bob, alice.userId)).body.presence, 'online');
      clock.advance(2000);
      assert.deepEqual((await p.get(bob, alice.userId)).body, {
        presence: 'offline',
        last_active_ago: SYNC_TIMEOUT_MS + 1000,
        currently_active: false,
      });

      // Bob's next sync publishes the timeout: he hears alice went offline, once.
      const bobSaw = await p.sync(bob, { since: bobFirst.next_batch });
      assert.equal(presenceOf(bobSaw)[alice.userId]?.presence, 'offline');
      const bobAgain = await p.sync(bob, { since: bobSaw.next_batch });
      assert.equal(presenceOf(bobAgain)[alice.userId], undefined);

      // Syncing brings her back; an explicit online without syncing goes idle, then offline.
      const back = await p.sync(alice, { since: still.next_batch });
      assert.equal(presenceOf(back)[alice.userId]?.presence, 'online');
      assert.equal(
        presenceOf(await p.sync(bob, { since: bobAgain.next_batch }))[alice.userId]?.presence,
        'online',
      );
      const rows = await client.db.selectFrom('presence').select('stream_id').execute();
      assert.equal(rows.length, 2, 'one row per user');

      // A long-poll counts as syncing for as long as it may wait: alice stays without activity,
      // so she stops being currently active, turns unavailable, and goes offline after it.
      const longPoll = p.sync(alice, { since: back.next_batch, timeout: 300_000 });
      await waitUntilWaiting(client, 1);
      await rooms.send(bob, roomId, 'wake up');
      await longPoll;
      clock.advance(ACTIVE_WINDOW_MS + 1);
      const inactive = (await p.get(bob, alice.userId)).body;
      assert.deepEqual([inactive.presence, inactive.currently_active], ['online', false]);
      clock.advance(IDLE_TIMEOUT_MS - ACTIVE_WINDOW_MS);
      assert.equal((await p.get(bob, alice.userId)).body.presence, 'unavailable');
      const idle = await p.sync(bob, { since: bobAgain.next_batch });
      assert.deepEqual(presenceOf(idle)[alice.userId], {
        presence: 'unavailable',
        last_active_ago: IDLE_TIMEOUT_MS + 1,
        currently_active: false,
      });
      clock.advance(SYNC_TIMEOUT_MS);
      assert.equal((await p.get(bob, alice.userId)).body.presence, 'offline');
    }));

  test(`${kind}: while /sync builds are queued, presence wakes wait for them`, (t) =>
    withClient(t, kind, async (client) => {
      const p = presenceClient(client);
      const rooms = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.membership(bob, roomId, 'join');
      await p.sync(bob, { set_presence: 'offline' });
      const first = await p.sync(alice);
      await new Promise((resolve) => setTimeout(resolve, 400));
      // Hold every build turn and queue one more: the server is still answering a wake.
      const { builds } = client.ctx.sync;
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const holders = Array.from({ length: 7 }, (_, i) => builds.run(`@holder${i}:x`, () => held));
      assert.ok(builds.queued > 0);
      const wakes: unknown[] = [];
      const notify = client.ctx.sync.notifier.notify.bind(client.ctx.sync.notifier);
      client.ctx.sync.notifier.notify = (target) => {
        wakes.push(target);
        notify(target);
      };
      await p.put(bob, bob.userId, { presence: 'online' });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.deepEqual(wakes, [], 'held while builds are queued');
      const releasedAt = performance.now();
      release();
      await Promise.all(holders);
      while (wakes.length === 0 && performance.now() - releasedAt < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(wakes, [{ userIds: [bob.userId], roomIds: [roomId] }]);
      assert.ok(performance.now() - releasedAt < 1_000, 'sent once the queue drained');
      assert.equal(
        presenceOf(await p.sync(alice, { since: first.next_batch }))[bob.userId]?.presence,
        'online',
      );
    }));
}
