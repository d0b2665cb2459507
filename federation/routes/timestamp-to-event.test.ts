// GET /_matrix/federation/v1/timestamp_to_event/{roomId} on both databases: the closest event at
// or after (f) or at or before (b) the time; 404 when there is none; the spec's errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  enc,
  roomWithRemoteMember,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import { timestampToEvent } from './timestamp-to-event.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /timestamp_to_event finds the closest event in either direction`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [timestampToEvent]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const at = (offset: number, body: string) =>
        sendLocalEvent({ ...server.deps, now: () => TEST_NOW + offset }, roomId, {
          type: 'm.room.message',
          sender: alice,
          content: { body },
        });
      const first = await at(1000, 'one');
      const second = await at(2000, 'two');
      const rejected = await at(2500, 'rejected');
      await db
        .updateTable('events')
        .set({ rejected_reason: 'auth' })
        .where('event_id', '=', rejected.eventId)
        .execute();
      const path = `/_matrix/federation/v1/timestamp_to_event/${enc(roomId)}`;
      const find = (query: string, origin = 'origin.test') =>
        server.call(origin, 'GET', `${path}?${query}`);
      const found = (event: { eventId: string }, offset: number) => ({
        event_id: event.eventId,
        origin_server_ts: TEST_NOW + offset,
      });

      assert.deepEqual((await find(`ts=${TEST_NOW + 1500}&dir=f`)).body, found(second, 2000));
      assert.deepEqual((await find(`ts=${TEST_NOW + 1500}&dir=b`)).body, found(first, 1000));
      assert.deepEqual((await find(`ts=${TEST_NOW + 1000}&dir=f`)).body, found(first, 1000));
      assert.deepEqual((await find(`ts=${TEST_NOW + 1000}&dir=b`)).body, found(first, 1000));
      // The rejected event is not one of the room's events.
      assert.deepEqual((await find(`ts=${TEST_NOW + 2400}&dir=f`)).status, 404);
      assert.deepEqual((await find(`ts=${TEST_NOW + 9000}&dir=b`)).body, found(second, 2000));
      const none = await find(`ts=${TEST_NOW + 9000}&dir=f`);
      assert.deepEqual([none.status, none.body.errcode], [404, 'M_NOT_FOUND']);

      const cases: [string, string, number, string][] = [
        ['stranger.test', `ts=${TEST_NOW}&dir=f`, 403, 'M_FORBIDDEN'],
        ['origin.test', 'dir=f', 400, 'M_MISSING_PARAM'],
        ['origin.test', `ts=${TEST_NOW}`, 400, 'M_MISSING_PARAM'],
        ['origin.test', `ts=${TEST_NOW}&dir=up`, 400, 'M_INVALID_PARAM'],
        ['origin.test', 'ts=yesterday&dir=b', 400, 'M_INVALID_PARAM'],
      ];
      for (const [origin, query, status, errcode] of cases) {
        const bad = await find(query, origin);
        assert.deepEqual([bad.status, bad.body.errcode], [status, errcode], `${origin} ${query}`);
      }
    }));
}
