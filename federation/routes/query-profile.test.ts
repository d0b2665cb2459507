// GET /_matrix/federation/v1/query/profile on both databases: a local user's display name and
// avatar, all or one field; unset fields, unknown users and other servers' users are 404.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newUser,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  enc,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { createProfile } from '../../server/storage/profiles.ts';
import { queryProfile } from './query-profile.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /query/profile answers for local users`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [queryProfile]);
      t.after(() => server.close());
      await newUser(db, 'alice');
      await createProfile(db, '@alice:example.org', {
        displayname: 'Alice',
        avatarUrl: 'mxc://example.org/abc',
      });
      await newUser(db, 'bare');
      await createProfile(db, '@bare:example.org', { displayname: null, avatarUrl: null });
      const query = (params: string) =>
        server.call('origin.test', 'GET', `/_matrix/federation/v1/query/profile${params}`);
      const of = (userId: string, field?: string) =>
        query(`?user_id=${enc(userId)}${field === undefined ? '' : `&field=${enc(field)}`}`);

      assert.deepEqual(await of('@alice:example.org'), {
        status: 200,
        body: { displayname: 'Alice', avatar_url: 'mxc://example.org/abc' },
      });
      assert.deepEqual((await of('@alice:example.org', 'displayname')).body, {
        displayname: 'Alice',
      });
      assert.deepEqual((await of('@alice:example.org', 'avatar_url')).body, {
        avatar_url: 'mxc://example.org/abc',
      });
      assert.deepEqual(await of('@bare:example.org'), { status: 200, body: {} });

      const cases: [string, number, string][] = [
        [`?user_id=${enc('@bare:example.org')}&field=displayname`, 404, 'M_NOT_FOUND'],
        [`?user_id=${enc('@alice:example.org')}&field=m.tz`, 404, 'M_NOT_FOUND'],
        [`?user_id=${enc('@alice:example.org')}&field=constructor`, 404, 'M_NOT_FOUND'],
        [`?user_id=${enc('@nobody:example.org')}`, 404, 'M_NOT_FOUND'],
        [`?user_id=${enc('@alice:origin.test')}`, 404, 'M_NOT_FOUND'],
        // Not a user id at all, or a server name with a port that is not a number (Complement's
        // TestInboundFederationProfile): the asker's error.
        ['?user_id=alice', 400, 'M_INVALID_PARAM'],
        [`?user_id=${enc('@user1:localhost:http')}`, 400, 'M_INVALID_PARAM'],
        ['', 400, 'M_MISSING_PARAM'],
      ];
      for (const [params, status, errcode] of cases) {
        const bad = await query(params);
        assert.deepEqual([bad.status, bad.body.errcode], [status, errcode], params);
      }
    }));
}
