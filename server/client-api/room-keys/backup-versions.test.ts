// Key backup versions on both databases: create, current, update, delete (never renumbered),
// the rule that decides between two keys of a session, and one user's backup invisible to
// another.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { type BackupKeyRank, isBetterBackupKey } from '../../storage/key-backup.ts';
import { ALGORITHM, helpers, key, prepare, ROOM_A } from './room-keys-test-support.ts';

test('isBetterBackupKey: verified first, then the lower first_message_index, then forwarded_count', () => {
  const rank = (fmi: number, fc: number, verified: boolean): BackupKeyRank => ({
    first_message_index: fmi,
    forwarded_count: fc,
    is_verified: verified,
  });
  const cases: [BackupKeyRank, BackupKeyRank, boolean][] = [
    [rank(9, 9, true), rank(0, 0, false), true],
    [rank(0, 0, false), rank(9, 9, true), false],
    [rank(1, 9, false), rank(2, 0, false), true],
    [rank(2, 0, false), rank(1, 9, false), false],
    [rank(1, 9, true), rank(2, 0, true), true],
    [rank(3, 1, true), rank(3, 2, true), true],
    [rank(3, 2, true), rank(3, 1, true), false],
    [rank(3, 2, false), rank(3, 2, false), false],
  ];
  for (const [candidate, stored, better] of cases) {
    assert.equal(isBetterBackupKey(candidate, stored), better, JSON.stringify([candidate, stored]));
  }
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: backup versions: create, current, update, delete, never renumbered`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      const none = await h.current();
      assertError(none, 404, 'M_NOT_FOUND');
      assert.equal(none.body.error, 'No current backup version');

      assert.equal(await h.create('pk1'), '1');
      assert.deepEqual(await h.current(), {
        status: 200,
        body: {
          algorithm: ALGORITHM,
          auth_data: h.authData('pk1'),
          count: 0,
          etag: '0',
          version: '1',
        },
      });
      assert.equal(await h.create('pk2'), '2');
      assert.equal((await h.current()).body.version, '2');
      assert.equal((await h.version('1')).body.auth_data.public_key, 'pk1');

      // Only auth_data changes; a `version` in the body must be the path's.
      const updated = await h.update('1', { algorithm: ALGORITHM, auth_data: h.authData('new') });
      assert.deepEqual(updated, { status: 200, body: {} });
      assert.equal((await h.version('1')).body.auth_data.public_key, 'new');
      const withVersion = { algorithm: ALGORITHM, auth_data: h.authData('v2'), version: '2' };
      assert.equal((await h.update('2', withVersion)).status, 200);
      assert.equal((await h.version('2')).body.auth_data.public_key, 'v2');
      assertError(await h.update('1', withVersion), 400, 'M_INVALID_PARAM');
      assertError(
        await h.update('2', { algorithm: 'org.example.other', auth_data: {} }),
        400,
        'M_INVALID_PARAM',
      );
      assert.equal((await h.version('2')).body.auth_data.public_key, 'v2');
      assertError(await h.update('9', { algorithm: ALGORITHM, auth_data: {} }), 404, 'M_NOT_FOUND');
      assertError(
        await h.update('abc', { algorithm: ALGORITHM, auth_data: {} }),
        404,
        'M_NOT_FOUND',
      );
      for (const unknown of ['9', '0', '01', 'abc', '99999999999999999999']) {
        assertError(await h.version(unknown), 404, 'M_NOT_FOUND');
      }

      // Deleting the current version makes the previous one current again; deleting it twice
      // succeeds; a version never created is a 404.
      assert.deepEqual(await h.deleteVersion('2'), { status: 200, body: {} });
      assert.equal((await h.current()).body.version, '1');
      assertError(await h.version('2'), 404, 'M_NOT_FOUND');
      assertError(await h.update('2', { algorithm: ALGORITHM, auth_data: {} }), 404, 'M_NOT_FOUND');
      assert.equal((await h.deleteVersion('2')).status, 200);
      assertError(await h.deleteVersion('7'), 404, 'M_NOT_FOUND');
      assertError(await h.deleteVersion('x'), 404, 'M_NOT_FOUND');
      // A deleted number is not handed out again.
      assert.equal(await h.create(), '3');
      assert.equal((await h.deleteVersion('3')).status, 200);
      assert.equal((await h.deleteVersion('1')).status, 200);
      assertError(await h.current(), 404, 'M_NOT_FOUND');
      assert.equal(await h.create(), '4');
    }));

  test(`${kind}: one user's backup is invisible to another`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = helpers(client, await client.newAccount('alice'));
      const bob = helpers(client, await client.newAccount('bob'));
      const version = await alice.create('alice-key');
      assert.equal((await alice.put(version, key(0, 0, true, 'secret'), ROOM_A, 's')).status, 200);

      assertError(await bob.current(), 404, 'M_NOT_FOUND');
      assertError(await bob.version(version), 404, 'M_NOT_FOUND');
      assertError(await bob.get(version), 404, 'M_NOT_FOUND');
      assertError(await bob.get(version, ROOM_A, 's'), 404, 'M_NOT_FOUND');
      assertError(await bob.put(version, key(0, 0, true), ROOM_A, 's'), 404, 'M_NOT_FOUND');
      assertError(await bob.del(version), 404, 'M_NOT_FOUND');
      assertError(await bob.deleteVersion(version), 404, 'M_NOT_FOUND');
      assertError(
        await bob.update(version, { algorithm: ALGORITHM, auth_data: {} }),
        404,
        'M_NOT_FOUND',
      );

      // Bob's versions are numbered on their own and hold only his keys.
      assert.equal(await bob.create('bob-key'), '1');
      assert.equal(
        (await bob.put('1', { sessions: { s: key(9, 9, false, 'bob') } }, ROOM_A)).body.count,
        1,
      );
      assert.equal((await bob.del('1', ROOM_A, 's')).body.count, 0);
      assert.equal((await bob.deleteVersion('1')).status, 200);

      const aliceInfo = (await alice.current()).body;
      assert.deepEqual([aliceInfo.auth_data.public_key, aliceInfo.count], ['alice-key', 1]);
      assert.deepEqual((await alice.get(version, ROOM_A, 's')).body, key(0, 0, true, 'secret'));
    }));
}
