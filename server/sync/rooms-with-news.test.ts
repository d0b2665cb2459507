// Rooms with events in a range, read once per range for all the syncs asking, on both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withClient } from '../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../conformance-tests/support/databases.ts';
import { fixtures } from '../client-api/sync/sync-fixtures.ts';
import { RoomsWithNews } from './rooms-with-news.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: one read per range; rooms with membership events marked`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const quiet = await f.createRoom(alice, {});
      const busy = await f.createRoom(alice, { preset: 'public_chat' });
      const after = await client.ctx.eventStream.currentPosition(client.db);
      await f.send(alice, busy, 'hello');
      const upTo = await client.ctx.eventStream.currentPosition(client.db);
      await f.membership(bob, busy, 'join');
      const withJoin = await client.ctx.eventStream.currentPosition(client.db);

      const news = new RoomsWithNews();
      const first = news.between(client.db, after, upTo);
      assert.equal(news.between(client.db, after, upTo), first, 'the same read answers both');
      assert.deepEqual([...(await first)], [[busy, false]]);
      assert.deepEqual([...(await news.between(client.db, upTo, withJoin))], [[busy, true]]);
      assert.deepEqual([...(await news.between(client.db, withJoin, withJoin))], []);
      assert.ok(!(await first).has(quiet));
    }));
}
