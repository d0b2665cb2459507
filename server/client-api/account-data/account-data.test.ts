// Account data, global and per room, on both databases, responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { getAccountDataChanges } from '../../storage/account-data.ts';

const url = (userId: string, type: string, roomId?: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}${
    roomId === undefined ? '' : `/rooms/${encodeURIComponent(roomId)}`
  }/account_data/${encodeURIComponent(type)}`;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: set and get global and room account data`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const room = '!room:example.org';
      const global = url(alice.userId, 'org.example.settings');
      const inRoom = url(alice.userId, 'm.tag', room);

      assertError(await client.call('GET', global, { token }), 404, 'M_NOT_FOUND');
      assertError(await client.call('GET', inRoom, { token }), 404, 'M_NOT_FOUND');
      const content = { theme: 'dark', nested: { list: [1, 2, 3] } };
      assert.deepEqual(await client.call('PUT', global, { token, body: content }), {
        status: 200,
        body: {},
      });
      const tags = { tags: { 'm.favourite': { order: 0.5 } } };
      assert.deepEqual(await client.call('PUT', inRoom, { token, body: tags }), {
        status: 200,
        body: {},
      });
      assert.deepEqual((await client.call('GET', global, { token })).body, content);
      assert.deepEqual((await client.call('GET', inRoom, { token })).body, tags);
      // Global and room data of one type are separate.
      assertError(
        await client.call('GET', url(alice.userId, 'm.tag'), { token }),
        404,
        'M_NOT_FOUND',
      );

      // Every write is a new stream position, for /sync.
      const before = await getAccountDataChanges(client.db, alice.userId);
      await client.call('PUT', global, { token, body: { theme: 'light' } });
      const after = await getAccountDataChanges(client.db, alice.userId, before.at(-1)!.streamId);
      assert.deepEqual(
        after.map((change) => [change.roomId, change.type, change.content]),
        [['', 'org.example.settings', { theme: 'light' }]],
      );
      assert.ok(after[0]!.streamId > before.at(-1)!.streamId);
    }));

  test(`${kind}: account data refusals change nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const token = alice.accessToken;
      await client.call('PUT', url(bob.userId, 'org.example.x'), {
        token: bob.accessToken,
        body: { secret: true },
      });
      const before = await snapshotTables(client.db, ['account_data']);

      for (const target of [url(bob.userId, 'org.example.x'), url(bob.userId, 'm.tag', '!r:x')]) {
        assertError(await client.call('GET', target, { token }), 403, 'M_FORBIDDEN');
        assertError(await client.call('PUT', target, { token, body: {} }), 403, 'M_FORBIDDEN');
        assertError(await client.call('GET', target), 401, 'M_MISSING_TOKEN');
        assertError(
          await client.call('PUT', target, { token: 'no', body: {} }),
          401,
          'M_UNKNOWN_TOKEN',
        );
      }
      for (const type of ['m.fully_read', 'm.push_rules']) {
        for (const target of [url(alice.userId, type), url(alice.userId, type, '!r:x')]) {
          assertError(await client.call('PUT', target, { token, body: {} }), 405, 'M_BAD_JSON');
        }
      }
      const notARoom = url(alice.userId, 'm.tag', '@alice:example.org');
      assertError(await client.call('GET', notARoom, { token }), 400, 'M_INVALID_PARAM');
      assertError(await client.call('PUT', notARoom, { token, body: {} }), 400, 'M_INVALID_PARAM');
      for (const body of [[1], 'text', 5, null]) {
        assertError(
          await client.call('PUT', url(alice.userId, 'org.example.x'), { token, body }),
          400,
          'M_BAD_JSON',
        );
      }
      assertError(
        await client.call('PUT', url(alice.userId, 'org.example.x'), { token, rawBody: '{' }),
        400,
        'M_NOT_JSON',
      );
      assert.equal(await snapshotTables(client.db, ['account_data']), before);
    }));
}
