// The safe position of the events stream: never past a position still in flight, whatever order
// transactions finish in, and across a restart read from the table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { EventStream } from './event-stream.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the safe position waits for the lowest position in flight`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const stream = new EventStream();
      assert.equal(stream.safePosition(), undefined);
      assert.equal(await stream.currentPosition(db), 0, 'an empty table');
      const advances: number[] = [];
      stream.onAdvance((position) => advances.push(position));

      const [a, b, c] = [
        await stream.allocate(db),
        await stream.allocate(db),
        await stream.allocate(db),
      ];
      assert.deepEqual([b - a, c - b], [1, 1]);
      assert.equal(stream.safePosition(), a - 1, 'nothing finished');
      stream.finish(c);
      stream.finish(b);
      assert.equal(await stream.currentPosition(db), a - 1, 'b and c wait for a');
      assert.deepEqual(advances, []);
      stream.finish(a);
      assert.equal(stream.safePosition(), c);
      assert.deepEqual(advances, [c], 'one advance, straight to c');
      stream.finish(a);
      assert.deepEqual(advances, [c], 'finishing twice changes nothing');

      // Concurrent allocations each get their own position and are all tracked.
      const many = await Promise.all(Array.from({ length: 20 }, () => stream.allocate(db)));
      assert.equal(new Set(many).size, 20);
      for (const position of many.toSorted((x, y) => y - x).slice(0, 19)) stream.finish(position);
      assert.equal(stream.safePosition(), Math.min(...many) - 1);
      stream.finish(Math.min(...many));
      assert.equal(stream.safePosition(), Math.max(...many));

      // A new process starts from the table: committed rows are final.
      await db
        .insertInto('rooms')
        .values({ room_id: '!r:x', room_version: '11', creator: '@a:x', created_ts: 0 })
        .execute();
      const position = await stream.allocate(db);
      await db
        .insertInto('events')
        .values({
          stream_ordering: position,
          event_id: '$e',
          room_id: '!r:x',
          type: 'm.room.message',
          state_key: null,
          sender: '@a:x',
          origin_server_ts: 0,
          depth: 1,
          json: '{}',
          state_before: null,
          state_after: null,
          rejected_reason: null,
          redacted_by: null,
        })
        .execute();
      stream.finish(position);
      const restarted = new EventStream();
      assert.equal(await restarted.currentPosition(db), position);
      const next = await restarted.allocate(db);
      assert.ok(next > position);
      assert.equal(await restarted.currentPosition(db), next - 1);
    }));
}
