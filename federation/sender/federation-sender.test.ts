// The outbound sender end to end on both databases: local events persisted by the real room
// pipeline, delivered by the real transport (TLS, X-Matrix) to HTTPS peers on loopback that
// answer as each test says. Transaction limits, one transaction in flight per destination,
// backoff and recovery in order, a restart that resumes the queue and catches up on events never
// announced, and an event held back until the stream's safe position passes it.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { Kysely } from 'kysely';
import {
  DATABASE_KINDS,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import type { Context } from '../../server/context.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { createRoom } from '../../server/rooms/create-room.ts';
import { type RoomDeps, roomDepsOf } from '../../server/rooms/room-deps.ts';
import { RoomEventHub } from '../../server/rooms/room-events.ts';
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import {
  EVENTS_STREAM,
  getDestinationState,
  getSenderPosition,
} from '../../server/storage/federation-queue.ts';
import type { Database } from '../../server/storage/schema.ts';
import { createFederationSender, type FederationSender } from './federation-sender.ts';
import { startTestPeers, type TestPeers, waitFor } from './test-peer.ts';

const alice = `@alice:${TEST_SERVER_NAME}`;
const bob = '@bob:remote.test';
const carol = '@carol:other.test';
const BACKOFF = { initialMs: 100, maxMs: 400 };

async function roomWith(deps: RoomDeps, remoteMembers: readonly string[]): Promise<string> {
  const roomId = await createRoom(deps, {
    creator: alice,
    version: getRoomVersion('10')!,
    preset: 'public_chat',
    isPublic: false,
    invite: [],
    initialState: [],
    isDirect: false,
  });
  // Joins of remote users, as federation would persist them: their senders are not ours, so
  // the sender leaves them alone.
  for (const user of remoteMembers) {
    await sendLocalEvent(deps, roomId, {
      type: 'm.room.member',
      sender: user,
      stateKey: user,
      content: { membership: 'join' },
    });
  }
  return roomId;
}

function say(deps: RoomDeps, roomId: string, body: string) {
  return sendLocalEvent(deps, roomId, {
    type: 'm.room.message',
    sender: alice,
    content: { msgtype: 'm.text', body },
  });
}

/**
 * The message bodies a destination processed, in order. (The room's first events may go too: a
 * pass that runs after the remote joins sees them in the room's current state.)
 */
function bodiesAt(peers: TestPeers, destination: string): string[] {
  return peers
    .processed(destination)
    .flatMap((txn) => txn.pdus)
    .filter((pdu) => pdu.type === 'm.room.message')
    .map((pdu) => String((pdu.content as { body?: unknown }).body));
}

/** Until the sender has queued every local event persisted so far. */
async function caughtUp(db: Kysely<Database>): Promise<void> {
  await waitFor('the sender to catch up', async () => {
    const max = await db
      .selectFrom('events')
      .select((eb) => eb.fn.max('stream_ordering').as('max'))
      .where('sender', 'like', `%:${TEST_SERVER_NAME}`)
      .executeTakeFirstOrThrow();
    return (await getSenderPosition(db, EVENTS_STREAM)) >= Number(max.max);
  });
}

function senderFor(
  ctx: Context,
  db: Kysely<Database>,
  peers: TestPeers,
  backoff = BACKOFF,
): FederationSender {
  return createFederationSender({
    db,
    serverName: TEST_SERVER_NAME,
    client: peers.transport(TEST_SERVER_NAME, ctx.signingKey).client,
    roomEvents: ctx.roomEvents,
    eventStream: ctx.eventStream,
    typing: ctx.typing,
    logger: ctx.logger,
    backoff,
  });
}

/** Runs `fn` with peers for remote.test and other.test; stops the senders it made first. */
async function withPeers(
  t: TestContext,
  kind: (typeof DATABASE_KINDS)[number],
  fn: (db: Kysely<Database>, peers: TestPeers, senders: FederationSender[]) => Promise<void>,
): Promise<void> {
  await withTestDatabase(t, kind, async (db) => {
    const peers = await startTestPeers(['remote.test', 'other.test']);
    const senders: FederationSender[] = [];
    try {
      await fn(db, peers, senders);
    } finally {
      peers.releaseAll();
      await Promise.all(senders.map((sender) => sender.stop()));
      await peers.close();
    }
  });
}

const range = (from: number, to: number, prefix = 'm') =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

for (const kind of DATABASE_KINDS) {
  test(
    `${kind}: transactions of at most 50 PDUs and 100 EDUs, one in flight per destination`,
    { timeout: 120_000 },
    (t) =>
      withPeers(t, kind, async (db, peers, senders) => {
        peers.route('remote.test');
        peers.route('other.test');
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const sender = senderFor(ctx, db, peers);
        senders.push(sender);
        await sender.start();
        const roomId = await roomWith(deps, [bob, carol]);
        await caughtUp(db);

        // remote.test holds its first answer: nothing more may go to it meanwhile, while
        // other.test goes on.
        const first = peers.hold('remote.test');
        await say(deps, roomId, 'm0');
        await first.held;
        const toRemote = () => peers.attempts.filter((txn) => txn.destination === 'remote.test');
        const attemptsWhenHeld = toRemote().length;
        assert.deepEqual(
          toRemote()
            .at(-1)!
            .pdus.map((pdu) => pdu.content),
          [{ msgtype: 'm.text', body: 'm0' }],
        );
        for (const body of range(1, 121)) await say(deps, roomId, body);
        await waitFor(
          'other.test has every event',
          () => bodiesAt(peers, 'other.test').length === 121,
        );
        assert.equal(toRemote().length, attemptsWhenHeld, 'nothing more while one is in flight');
        first.release();
        await waitFor(
          'remote.test has every event',
          () => bodiesAt(peers, 'remote.test').length === 121,
        );

        for (const destination of ['remote.test', 'other.test']) {
          assert.deepEqual(bodiesAt(peers, destination), range(0, 121), `${destination}: in order`);
          assert.equal(peers.maxInFlight(destination), 1);
          const sizes = peers.processed(destination).map((txn) => txn.pdus.length);
          assert.ok(Math.max(...sizes) <= 50, `${destination}: ${sizes}`);
        }
        // 120 events queued behind the held one: three transactions, two of them full.
        const messageTxns = peers
          .processed('remote.test')
          .filter((txn) => txn.pdus.some((pdu) => pdu.type === 'm.room.message'));
        assert.deepEqual(
          messageTxns.map((txn) => txn.pdus.length),
          [1, 50, 50, 20],
        );
        for (const txn of peers.attempts) {
          assert.equal(txn.origin, TEST_SERVER_NAME);
          assert.match(txn.authorization ?? '', /^X-Matrix origin="example\.org",destination="/);
        }

        // EDUs: 150 in memory and 110 persisted, queued while remote.test holds an answer.
        const edu = (n: number) => ({ edu_type: 'org.example.test', content: { n } });
        const again = peers.hold('remote.test');
        await sender.queueEdu('remote.test', edu(-1), { persist: false });
        await again.held;
        for (let n = 0; n < 150; n++)
          await sender.queueEdu('remote.test', edu(n), { persist: false });
        for (let n = 150; n < 260; n++)
          await sender.queueEdu('remote.test', edu(n), { persist: true });
        again.release();
        const received = () =>
          peers
            .processed('remote.test')
            .flatMap((txn) => txn.edus)
            .map((each) => (each.content as { n: number }).n);
        await waitFor('every EDU', () => received().length === 261);
        assert.deepEqual(
          received().toSorted((a, b) => a - b),
          range(-1, 260, '').map(Number),
        );
        const eduSizes = peers.processed('remote.test').map((txn) => txn.edus.length);
        assert.equal(Math.max(...eduSizes), 100, `${eduSizes}`);
        assert.equal(peers.maxInFlight('remote.test'), 1);
      }),
  );

  test(
    `${kind}: a failing or unreachable destination is retried with a growing backoff, then gets everything in order`,
    { timeout: 120_000 },
    (t) =>
      withPeers(t, kind, async (db, peers, senders) => {
        peers.route('remote.test');
        peers.route('other.test', { down: true });
        let failing = true;
        peers.answer = (txn) => (failing && txn.destination === 'remote.test' ? 500 : 200);
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const sender = senderFor(ctx, db, peers);
        senders.push(sender);
        await sender.start();
        const roomId = await roomWith(deps, [bob, carol]);
        for (const body of range(0, 3)) await say(deps, roomId, body);

        const toRemote = () => peers.attempts.filter((txn) => txn.destination === 'remote.test');
        await waitFor('five attempts', () => toRemote().length >= 5);
        const gaps = toRemote()
          .slice(0, 5)
          .map((txn, i, all) => (i === 0 ? 0 : txn.at - all[i - 1]!.at))
          .slice(1);
        // 100, 200, 400, then the 400 ms cap (timers may fire a little late, never early).
        assert.ok(gaps[0]! >= 95 && gaps[1]! >= 195 && gaps[2]! >= 395, `${gaps}`);
        assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `${gaps}`);
        assert.ok(gaps[3]! < 700, `capped: ${gaps}`);
        // Every retry is the same transaction: same txnId, same PDUs.
        const [first, ...retries] = toRemote();
        for (const retry of retries) {
          assert.equal(retry.txnId, first!.txnId);
          assert.deepEqual(retry.pdus, first!.pdus);
        }
        const state = await getDestinationState(db, 'remote.test');
        assert.ok(state.failures >= 4, 'the failures are persisted');
        assert.equal(state.pendingTxnId, first!.txnId);
        assert.ok((await getDestinationState(db, 'other.test')).failures >= 1, 'down counts too');

        failing = false;
        await waitFor('remote.test recovered', () => bodiesAt(peers, 'remote.test').length === 3);
        assert.deepEqual(bodiesAt(peers, 'remote.test'), range(0, 3));
        peers.route('other.test');
        await waitFor('other.test recovered', () => bodiesAt(peers, 'other.test').length === 3);
        assert.deepEqual(bodiesAt(peers, 'other.test'), range(0, 3));

        // Back to normal: the next event goes at once and the retry state is cleared.
        await say(deps, roomId, 'm3');
        await waitFor('m3', () => bodiesAt(peers, 'remote.test').length === 4, 2_000);
        // Recorded once the answer is in, a moment after the peer saw the transaction.
        await waitFor('the retry state cleared', async () => {
          const state = await getDestinationState(db, 'remote.test');
          return state.failures === 0 && state.retryAtTs === 0 && state.pendingTxnId === null;
        });
      }),
  );

  test(
    `${kind}: a restart resumes the queue and catches up on events persisted but never announced`,
    { timeout: 120_000 },
    (t) =>
      withPeers(t, kind, async (db, peers, senders) => {
        peers.route('remote.test');
        peers.route('other.test');
        peers.answer = () => 500;
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const first = senderFor(ctx, db, peers);
        senders.push(first);
        await first.start();
        const roomId = await roomWith(deps, [bob]);
        await say(deps, roomId, 'm0');
        await say(deps, roomId, 'm1');
        await waitFor('a failed attempt', async () => {
          const state = await getDestinationState(db, 'remote.test');
          return state.failures > 0;
        });
        await first.stop();
        const pending = (await getDestinationState(db, 'remote.test')).pendingTxnId;
        assert.ok(pending);

        // The process dies between commit and announcement: nobody hears of m2 and m3.
        const silent = { ...deps, hub: new RoomEventHub() };
        await say(silent, roomId, 'm2');
        await say(silent, roomId, 'm3');
        const attemptsBefore = peers.attempts.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(peers.attempts.length, attemptsBefore, 'a stopped sender sends nothing');

        peers.answer = () => 200;
        const restarted = buildTestContext(db);
        const second = senderFor(restarted, db, peers);
        senders.push(second);
        await second.start();
        await waitFor('everything', () => bodiesAt(peers, 'remote.test').length === 4);
        assert.deepEqual(bodiesAt(peers, 'remote.test'), range(0, 4));
        const processed = peers.processed('remote.test');
        assert.equal(processed[0]!.txnId, pending, 'the pending attempt is retried as it was');
        assert.deepEqual(bodiesAt(peers, 'other.test'), [], 'other.test is in no room');

        // And the new process goes on from there.
        await say(roomDepsOf(restarted), roomId, 'm4');
        await waitFor('m4', () => bodiesAt(peers, 'remote.test').length === 5);
        assert.deepEqual(bodiesAt(peers, 'remote.test'), range(0, 5));
      }),
  );

  test(
    `${kind}: an event above the safe stream position waits until the position passes it`,
    { timeout: 120_000 },
    (t) =>
      withPeers(t, kind, async (db, peers, senders) => {
        peers.route('remote.test');
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const sender = senderFor(ctx, db, peers);
        senders.push(sender);
        await sender.start();
        const roomId = await roomWith(deps, [bob]);
        await say(deps, roomId, 'm0');
        await waitFor('m0', () => bodiesAt(peers, 'remote.test').length === 1);

        // A position taken by a transaction still in flight holds every later one back.
        const inFlight = await ctx.eventStream.allocate(db);
        await say(deps, roomId, 'm1');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(bodiesAt(peers, 'remote.test'), ['m0'], 'm1 waits for the safe position');
        ctx.eventStream.finish(inFlight);
        await waitFor('m1', () => bodiesAt(peers, 'remote.test').length === 2);
        assert.deepEqual(bodiesAt(peers, 'remote.test'), ['m0', 'm1']);
      }),
  );

  test(
    `${kind}: a 200 whose body is not a transaction reply is a failure, retried as it was`,
    { timeout: 120_000 },
    (t) =>
      withPeers(t, kind, async (db, peers, senders) => {
        peers.route('remote.test');
        const garbage = [['not', 'a', 'reply'], 'ok', null, 42];
        peers.answer = (txn) => {
          const attempt = peers.attempts.indexOf(txn);
          return attempt < garbage.length ? { status: 200, body: garbage[attempt] } : 200;
        };
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const sender = senderFor(ctx, db, peers);
        senders.push(sender);
        await sender.start();
        const roomId = await roomWith(deps, [bob]);
        await say(deps, roomId, 'm0');
        await waitFor('m0 accepted', () => bodiesAt(peers, 'remote.test').length === 1);
        const attempts = peers.attempts.filter((txn) => txn.destination === 'remote.test');
        // Each garbage answer was followed by the same transaction again, until one was taken.
        assert.ok(attempts.length > garbage.length);
        for (const retry of attempts.slice(0, garbage.length + 1)) {
          assert.equal(retry.txnId, attempts[0]!.txnId);
        }
        // The peer took the transaction before the sender read its reply; the reset follows.
        await waitFor(
          'failures reset',
          async () => (await getDestinationState(db, 'remote.test')).failures === 0,
        );
      }),
  );

  test(
    `${kind}: a destination that contacts us is retried at once, its backoff forgotten`,
    { timeout: 120_000 },
    (t) =>
      withPeers(t, kind, async (db, peers, senders) => {
        peers.route('remote.test', { down: true });
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const sender = senderFor(ctx, db, peers, { initialMs: 600_000, maxMs: 3_600_000 });
        senders.push(sender);
        await sender.start();
        const roomId = await roomWith(deps, [bob]);
        await say(deps, roomId, 'm0');
        await waitFor('a failure', async () => {
          return (await getDestinationState(db, 'remote.test')).failures === 1;
        });
        peers.route('remote.test');
        sender.peerIsUp('other.test'); // not a destination: nothing happens
        sender.peerIsUp('remote.test');
        await waitFor('m0', () => bodiesAt(peers, 'remote.test').length === 1, 5_000);
        await waitFor('the failures forgotten', async () => {
          return (await getDestinationState(db, 'remote.test')).failures === 0;
        });
      }),
  );
}
