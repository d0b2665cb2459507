// The notifier on its own: who is woken, nothing lost between a check and a wait, timeouts,
// aborts, shutdown, and events held back until the stream's safe position passes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withTestDatabase } from '../../conformance-tests/support/databases.ts';
import type { Pdu } from '../core/pdu.ts';
import { EventStream } from '../rooms/event-stream.ts';
import { RoomEventHub } from '../rooms/room-events.ts';
import { SyncNotifier } from './notifier.ts';

const ALICE = '@alice:x';
const rethrow = (err: unknown) => {
  throw err;
};

function persisted(roomId: string, streamOrdering: number, pdu: Partial<Pdu> = {}) {
  return {
    roomId,
    event: {
      eventId: `$${streamOrdering}`,
      roomId,
      streamOrdering,
      rejectedReason: null,
      redactedBy: null,
      outlier: false,
      pdu: { type: 'm.room.message', sender: '@bob:x', content: {}, ...pdu } as Pdu,
    },
  };
}

const never = (n: SyncNotifier, since: number, roomIds = ['!a']) =>
  n.wait({ userId: ALICE, roomIds, since, timeoutMs: 30 });

test('wakes waiters of the room or the user, and only them', async () => {
  const hub = new RoomEventHub();
  const notifier = new SyncNotifier(hub, new EventStream());
  const inRoom = notifier.wait({
    userId: ALICE,
    roomIds: ['!a'],
    since: notifier.mark(),
    timeoutMs: 5000,
  });
  const elsewhere = notifier.wait({
    userId: '@carol:x',
    roomIds: ['!b'],
    since: notifier.mark(),
    timeoutMs: 50,
  });
  assert.equal(notifier.waiting, 2);
  hub.announce(persisted('!a', 1), rethrow);
  assert.equal(await inRoom, 'woken');
  assert.equal(await elsewhere, 'timeout');
  assert.equal(notifier.waiting, 0, 'both cleaned up');

  // An invite reaches a user who is not in the room yet.
  const invitee = notifier.wait({
    userId: '@dan:x',
    roomIds: [],
    since: notifier.mark(),
    timeoutMs: 5000,
  });
  hub.announce(persisted('!a', 2, { type: 'm.room.member', state_key: '@dan:x' }), rethrow);
  assert.equal(await invitee, 'woken');

  const byUser = notifier.wait({
    userId: ALICE,
    roomIds: [],
    since: notifier.mark(),
    timeoutMs: 5000,
  });
  notifier.notify({ userIds: [ALICE] });
  assert.equal(await byUser, 'woken');
});

test('a wake between the check and the wait is not lost; an unrelated one is ignored', async () => {
  const notifier = new SyncNotifier(new RoomEventHub(), new EventStream());
  const mark = notifier.mark();
  notifier.notify({ roomIds: ['!other'] });
  assert.equal(await never(notifier, mark), 'timeout', 'another room');
  const mark2 = notifier.mark();
  notifier.notify({ roomIds: ['!a'] });
  notifier.notify({ roomIds: ['!other'] });
  assert.equal(await never(notifier, mark2), 'woken', 'returns at once');
  // Older than every remembered wake: assumed relevant, the caller re-checks.
  const old = notifier.mark();
  for (let i = 0; i < 1100; i++) notifier.notify({ roomIds: ['!other'] });
  assert.equal(await never(notifier, old), 'woken');
});

test('abort and close end waits', async () => {
  const notifier = new SyncNotifier(new RoomEventHub(), new EventStream());
  const controller = new AbortController();
  const aborted = notifier.wait({
    userId: ALICE,
    roomIds: ['!a'],
    since: 0,
    timeoutMs: 60_000,
    signal: controller.signal,
  });
  const closed = notifier.wait({ userId: ALICE, roomIds: ['!a'], since: 0, timeoutMs: 60_000 });
  controller.abort();
  assert.equal(await aborted, 'aborted');
  assert.equal(notifier.waiting, 1);
  notifier.close();
  assert.equal(await closed, 'closed');
  assert.equal(notifier.waiting, 0);
  assert.equal(await never(notifier, 0), 'closed');
});

test('events above the safe position wake nobody until it passes them', (t) =>
  withTestDatabase(t, 'pglite', async (db) => {
    const hub = new RoomEventHub();
    const stream = new EventStream();
    const notifier = new SyncNotifier(hub, stream);
    const first = await stream.allocate(db);
    const second = await stream.allocate(db);
    stream.finish(second);
    const waiting = notifier.wait({
      userId: ALICE,
      roomIds: ['!b'],
      since: notifier.mark(),
      timeoutMs: 5000,
    });
    let woken = false;
    void waiting.then(() => {
      woken = true;
    });
    hub.announce(persisted('!b', second), rethrow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(woken, false, 'held back while the first position is in flight');
    stream.finish(first);
    assert.equal(await waiting, 'woken');
  }));
