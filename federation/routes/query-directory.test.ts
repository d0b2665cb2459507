// GET /_matrix/federation/v1/query/directory on both databases: a local alias maps to its room
// and the servers in it, ours first; other servers' aliases and unknown ones are 404.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  enc,
  roomWithRemoteMember,
  sendState,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { createRoomAlias } from '../../server/storage/room-aliases.ts';
import { queryDirectory } from './query-directory.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /query/directory resolves this server's aliases`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [queryDirectory]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      await sendState(server, roomId, '@zed:a.test', 'm.room.member', '@zed:a.test', {
        membership: 'join',
      });
      await createRoomAlias(db, { alias: '#room:example.org', roomId, creator: alice, now: 0 });
      const query = (alias: string | undefined) =>
        server.call(
          'origin.test',
          'GET',
          `/_matrix/federation/v1/query/directory${alias === undefined ? '' : `?room_alias=${enc(alias)}`}`,
        );

      const reply = await query('#room:example.org');
      assert.deepEqual(reply, {
        status: 200,
        body: { room_id: roomId, servers: ['example.org', 'a.test', 'origin.test'] },
      });

      // Once we left, the others are still named.
      await sendState(server, roomId, alice, 'm.room.member', alice, { membership: 'leave' });
      assert.deepEqual((await query('#room:example.org')).body.servers, ['a.test', 'origin.test']);

      const cases: [string | undefined, number, string][] = [
        ['#nope:example.org', 404, 'M_NOT_FOUND'],
        ['#room:other.test', 404, 'M_NOT_FOUND'],
        ['room', 400, 'M_INVALID_PARAM'],
        [undefined, 400, 'M_MISSING_PARAM'],
      ];
      for (const [alias, status, errcode] of cases) {
        const bad = await query(alias);
        assert.deepEqual([bad.status, bad.body.errcode], [status, errcode], String(alias));
      }
    }));
}
