// Stream positions kept between /sync builds: read once while nothing is notified, read again
// after a notify or changed(), never kept when a notify overlapped the read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStream } from '../rooms/event-stream.ts';
import { RoomEventHub } from '../rooms/room-events.ts';
import { SyncNotifier } from './notifier.ts';
import { StreamPositions } from './stream-positions.ts';

function setup() {
  const notifier = new SyncNotifier(new RoomEventHub(), new EventStream());
  const positions = new StreamPositions(notifier);
  let stored = 1;
  let reads = 0;
  const read = async () => {
    reads++;
    return stored;
  };
  return {
    notifier,
    positions,
    read,
    set: (value: number) => {
      stored = value;
    },
    reads: () => reads,
  };
}

test('read once while nothing is notified; again after a notify', async () => {
  const s = setup();
  assert.equal(await s.positions.current('r', s.read), 1);
  s.set(2);
  assert.equal(await s.positions.current('r', s.read), 1, 'nothing notified: kept');
  assert.equal(s.reads(), 1);
  s.notifier.notify({ userIds: ['@a:x'] });
  assert.equal(await s.positions.current('r', s.read), 2);
  assert.equal(s.reads(), 2);
  assert.equal(await s.positions.current('p', async () => 7), 7, 'streams kept apart');
});

test('changed() makes the next build read again', async () => {
  const s = setup();
  await s.positions.current('p', s.read);
  s.set(5);
  s.positions.changed();
  assert.equal(await s.positions.current('p', s.read), 5);
});

test('a value read while a notify happened is not kept', async () => {
  const s = setup();
  const overlapping = s.positions.current('r', async () => {
    s.set(3);
    s.notifier.notify({ roomIds: ['!r:x'] });
    return 2;
  });
  assert.equal(await overlapping, 2);
  assert.equal(await s.positions.current('r', s.read), 3, 'read again, not the overlapped 2');
});
