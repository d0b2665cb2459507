// POST /user_directory/search on both databases, checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { deactivateAccount } from '../../accounts/deactivate-account.ts';
import { setProfileField } from '../../storage/profiles.ts';

const SEARCH = '/_matrix/client/v3/user_directory/search';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: search local users by user id and display name`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      await client.newAccount('malice');
      const bob = await client.newAccount('bob');
      await setProfileField(client.db, bob.userId, 'displayname', 'Bob ALICEson');
      await setProfileField(client.db, bob.userId, 'avatar_url', 'mxc://example.org/bob');
      const gone = await client.newAccount('alicia');
      await deactivateAccount(client.db, gone.userId, { erase: false });
      const token = alice.accessToken;

      const found = await client.call('POST', SEARCH, { token, body: { search_term: 'ALI' } });
      assert.equal(found.status, 200);
      // Names starting with the term first; deactivated users never.
      assert.deepEqual(found.body, {
        results: [
          { user_id: '@alice:example.org', display_name: 'alice' },
          {
            user_id: '@bob:example.org',
            display_name: 'Bob ALICEson',
            avatar_url: 'mxc://example.org/bob',
          },
          { user_id: '@malice:example.org', display_name: 'malice' },
        ],
        limited: false,
      });
      const limited = await client.call('POST', SEARCH, {
        token,
        body: { search_term: 'ali', limit: 1 },
      });
      assert.equal(limited.body.results.length, 1);
      assert.equal(limited.body.limited, true);
      // LIKE wildcards in the term are literal characters.
      const wildcard = await client.call('POST', SEARCH, { token, body: { search_term: '%' } });
      assert.deepEqual(wildcard.body, { results: [], limited: false });
      const byId = await client.call('POST', SEARCH, {
        token,
        body: { search_term: '@bob:example' },
      });
      assert.deepEqual(
        byId.body.results.map((r: { user_id: string }) => r.user_id),
        ['@bob:example.org'],
      );
    }));

  test(`${kind}: user directory refusals`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      for (const body of [
        {},
        { search_term: 5 },
        { search_term: 'a', limit: -1 },
        { search_term: 'a', limit: 'x' },
      ]) {
        assertError(await client.call('POST', SEARCH, { token, body }), 400, 'M_BAD_JSON');
      }
      assertError(
        await client.call('POST', SEARCH, { body: { search_term: 'a' } }),
        401,
        'M_MISSING_TOKEN',
      );
      assertError(
        await client.call('POST', SEARCH, { token: 'nope', body: { search_term: 'a' } }),
        401,
        'M_UNKNOWN_TOKEN',
      );
    }));
}
