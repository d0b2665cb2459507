// Which servers are in a room, from current state, on both databases: servers with a joined
// member (a server name may hold a port), since their earliest current join; members who left,
// were invited or are in another room do not count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  joinedServersOf,
  joinedServersSince,
  joinedServersSinceIn,
  serverNameOfUser,
} from './room-servers.ts';

const ROOM = '!servers:a.test';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: joined servers and since when, grouped from current state`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const member = (roomId: string, userId: string, membership: string, at: number) => ({
        room_id: roomId,
        type: 'm.room.member',
        state_key: userId,
        event_id: `$${at}`,
        membership,
        stream_ordering: at,
      });
      await db
        .insertInto('current_state')
        .values([
          member(ROOM, '@a1:a.test', 'join', 5),
          member(ROOM, '@a2:a.test', 'join', 3),
          member(ROOM, '@b1:b.test:8448', 'join', 9),
          member(ROOM, '@c1:c.test', 'leave', 2),
          member(ROOM, '@d1:d.test', 'invite', 4),
          member('!other:a.test', '@e1:e.test', 'join', 1),
          { ...member(ROOM, '', 'join', 1), type: 'm.room.name', membership: null },
        ])
        .execute();
      assert.deepEqual([...(await joinedServersSince(db, ROOM))].sort(), [
        ['a.test', 3],
        ['b.test:8448', 9],
      ]);
      assert.deepEqual(await joinedServersOf(db, ROOM), ['a.test', 'b.test:8448']);
      assert.equal(serverNameOfUser('@b1:b.test:8448'), 'b.test:8448');
      assert.deepEqual(await joinedServersOf(db, '!empty:a.test'), []);
      // Several rooms in one statement, each with its own servers; a room without any is there.
      const many = await joinedServersSinceIn(db, [ROOM, '!other:a.test', '!empty:a.test']);
      assert.deepEqual(
        [...many].map(([room, servers]) => [room, [...servers].sort()]),
        [
          [
            ROOM,
            [
              ['a.test', 3],
              ['b.test:8448', 9],
            ],
          ],
          ['!other:a.test', [['e.test', 1]]],
          ['!empty:a.test', []],
        ],
      );
      assert.equal((await joinedServersSinceIn(db, [])).size, 0);
    }));
}
