// Profiles on both databases, responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { getProfile } from '../../storage/profiles.ts';

const PROFILE = '/_matrix/client/v3/profile';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: read and change one's display name and avatar`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const base = `${PROFILE}/${encodeURIComponent(alice.userId)}`;

      // Readable without an access token.
      assert.deepEqual((await client.call('GET', base)).body, { displayname: 'alice' });
      assert.deepEqual((await client.call('GET', `${base}/displayname`)).body, {
        displayname: 'alice',
      });
      assertError(await client.call('GET', `${base}/avatar_url`), 404, 'M_NOT_FOUND');

      const setName = await client.call('PUT', `${base}/displayname`, {
        token,
        body: { displayname: 'Alice Liddell' },
      });
      assert.deepEqual(setName, { status: 200, body: {} });
      const setAvatar = await client.call('PUT', `${base}/avatar_url`, {
        token,
        body: { avatar_url: 'mxc://example.org/abc123' },
      });
      assert.deepEqual(setAvatar, { status: 200, body: {} });
      assert.deepEqual((await client.call('GET', base)).body, {
        displayname: 'Alice Liddell',
        avatar_url: 'mxc://example.org/abc123',
      });
      assert.deepEqual((await client.call('GET', `${base}/avatar_url`)).body, {
        avatar_url: 'mxc://example.org/abc123',
      });

      // Not an MXC URI: clients are told to send one, but Synapse stores any string and
      // clients (and Complement's TestAvatarUrlUpdate) rely on that.
      for (const url of ['LemurLover', 'https://example.org/a.png', 'mxc://example.org']) {
        const set = await client.call('PUT', `${base}/avatar_url`, {
          token,
          body: { avatar_url: url },
        });
        assert.deepEqual(set, { status: 200, body: {} });
        assert.deepEqual((await getProfile(client.db, alice.userId))?.avatarUrl, url);
      }

      // Empty strings clear the fields.
      await client.call('PUT', `${base}/displayname`, { token, body: { displayname: '' } });
      await client.call('PUT', `${base}/avatar_url`, { token, body: { avatar_url: '' } });
      assert.deepEqual((await client.call('GET', base)).body, {});
      assertError(await client.call('GET', `${base}/displayname`), 404, 'M_NOT_FOUND');
      assert.deepEqual(await getProfile(client.db, alice.userId), {
        displayname: null,
        avatarUrl: null,
      });
    }));

  test(`${kind}: profile refusals change nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const aliceBase = `${PROFILE}/${encodeURIComponent(alice.userId)}`;
      const before = await snapshotTables(client.db, ['profiles']);

      assertError(
        await client.call('PUT', `${aliceBase}/displayname`, {
          token: bob.accessToken,
          body: { displayname: 'not alice' },
        }),
        403,
        'M_FORBIDDEN',
      );
      assertError(
        await client.call('PUT', `${aliceBase}/displayname`, { body: { displayname: 'x' } }),
        401,
        'M_MISSING_TOKEN',
      );
      assertError(
        await client.call('PUT', `${aliceBase}/avatar_url`, {
          token: 'nope',
          body: { avatar_url: 'mxc://a/b' },
        }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      const token = alice.accessToken;
      const badBodies: [string, unknown][] = [
        ['displayname', {}],
        ['displayname', { displayname: 5 }],
        ['displayname', { displayname: null }],
        ['displayname', { displayname: 'x'.repeat(257) }],
        ['avatar_url', { avatar_url: 5 }],
        ['avatar_url', { avatar_url: null }],
        ['avatar_url', { avatar_url: `mxc://example.org/${'x'.repeat(1000)}` }],
        ['avatar_url', { avatarUrl: 'mxc://example.org/a' }],
      ];
      for (const [field, body] of badBodies) {
        assertError(
          await client.call('PUT', `${aliceBase}/${field}`, { token, body }),
          400,
          'M_BAD_JSON',
        );
      }
      assertError(
        await client.call('PUT', `${aliceBase}/displayname`, { token, rawBody: '{"displayname"' }),
        400,
        'M_NOT_JSON',
      );
      assert.equal(await snapshotTables(client.db, ['profiles']), before);

      const nobody = `${PROFILE}/${encodeURIComponent('@nobody:example.org')}`;
      assertError(await client.call('GET', nobody), 404, 'M_NOT_FOUND');
      assertError(await client.call('GET', `${nobody}/displayname`), 404, 'M_NOT_FOUND');
      assertError(
        await client.call('GET', `${PROFILE}/${encodeURIComponent('@bob:elsewhere.example')}`),
        404,
        'M_NOT_FOUND',
      );
    }));
}
