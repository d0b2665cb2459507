// Synapse-compatible shared-secret registration, on both databases, through the real client app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../../conformance-tests/support/databases.ts';
import {
  buildTestContext,
  TEST_SHARED_SECRET,
} from '../../../conformance-tests/support/test-context.ts';
import { verifyPassword } from '../../accounts/password-hash.ts';
import { sharedSecretMac } from '../../accounts/shared-secret-mac.ts';
import { buildClientApp } from '../../app.ts';
import { lookupAccessToken } from '../../storage/access-tokens.ts';
import { getUserByLocalpart, listUsers } from '../../storage/users.ts';

const URL = '/_synapse/admin/v1/register';

test('the MAC is the one Synapse computes (HMAC-SHA1 over NUL-joined fields)', () => {
  // Computed independently with Python: hmac.new(b"secret", b"abc\x00alice\x00pw\x00admin",
  // hashlib.sha1).hexdigest()
  assert.equal(
    sharedSecretMac('secret', { nonce: 'abc', username: 'alice', password: 'pw', admin: true }),
    'dc5ed98b283077684552e3f72d67f26b3366bf58',
  );
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: register with nonce + HMAC, then log in state is stored`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const app = buildClientApp(buildTestContext(db));
      const register = async (
        fields: { username: string; password: string; admin: boolean },
        mac?: string,
      ) => {
        const nonce = (await app.inject({ method: 'GET', url: URL })).json().nonce as string;
        const registration = { nonce, ...fields };
        const payload = {
          ...registration,
          mac: mac ?? sharedSecretMac(TEST_SHARED_SECRET, registration),
        };
        return app.inject({ method: 'POST', url: URL, payload });
      };

      const ok = await register({ username: 'alice', password: 'pw-alice-1', admin: true });
      assert.equal(ok.statusCode, 200, ok.body);
      const body = ok.json();
      assert.equal(body.user_id, `@alice:${TEST_SERVER_NAME}`);
      assert.equal(body.home_server, TEST_SERVER_NAME);
      assert.match(body.device_id, /^[A-Z]{10}$/);
      const owner = await lookupAccessToken(db, body.access_token);
      assert.deepEqual(owner && [owner.userId, owner.deviceId], [body.user_id, body.device_id]);
      const alice = await getUserByLocalpart(db, 'alice');
      assert.equal(alice?.isAdmin, true);
      assert.equal(await verifyPassword('pw-alice-1', alice!.passwordHash!), true);

      // Wrong MAC: 403, nothing created.
      const forged = await register(
        { username: 'mallory', password: 'x', admin: true },
        '0'.repeat(40),
      );
      assert.equal(forged.statusCode, 403);
      assert.equal(forged.json().errcode, 'M_FORBIDDEN');
      // A MAC for notadmin replayed with admin: true is also wrong.
      const nonce = (await app.inject({ method: 'GET', url: URL })).json().nonce as string;
      const mac = sharedSecretMac(TEST_SHARED_SECRET, {
        nonce,
        username: 'eve',
        password: 'x',
        admin: false,
      });
      const escalated = await app.inject({
        method: 'POST',
        url: URL,
        payload: { nonce, username: 'eve', password: 'x', admin: true, mac },
      });
      assert.equal(escalated.statusCode, 403);
      // The nonce was used up by that attempt.
      const replay = await app.inject({
        method: 'POST',
        url: URL,
        payload: { nonce, username: 'eve', password: 'x', admin: false, mac },
      });
      assert.equal(replay.statusCode, 400);
      assert.equal(replay.json().errcode, 'M_UNKNOWN');

      // Taken name: M_USER_IN_USE, the first account's password unchanged.
      const taken = await register({ username: 'alice', password: 'another', admin: false });
      assert.equal(taken.statusCode, 400);
      assert.equal(taken.json().errcode, 'M_USER_IN_USE');
      assert.equal(
        await verifyPassword('pw-alice-1', (await getUserByLocalpart(db, 'alice'))!.passwordHash!),
        true,
      );

      // Bad input of every kind gets a client error and stores nothing.
      const bad = [
        { payload: '{"nonce":', errcode: 'M_NOT_JSON', status: 400 },
        {
          payload: { nonce: 'n', username: 'x', password: 'p' },
          errcode: 'M_BAD_JSON',
          status: 400,
        },
        {
          payload: { nonce: 5, username: 'x', password: 'p', mac: '0'.repeat(40) },
          errcode: 'M_BAD_JSON',
          status: 400,
        },
        {
          payload: { nonce: 'n', username: 'x', password: 'p', mac: 'zz' },
          errcode: 'M_BAD_JSON',
          status: 400,
        },
      ];
      for (const { payload, errcode, status } of bad) {
        const response = await app.inject({
          method: 'POST',
          url: URL,
          payload,
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(response.statusCode, status, JSON.stringify(payload));
        assert.equal(response.json().errcode, errcode, JSON.stringify(payload));
      }
      const invalidName = await register({ username: 'Has Space', password: 'x', admin: false });
      assert.equal(invalidName.json().errcode, 'M_INVALID_USERNAME');
      assert.deepEqual(
        (await listUsers(db)).map((u) => u.localpart),
        ['alice'],
      );

      // Capitals are lowercased (as Synapse does); the MAC is over the name as sent.
      const capitals = await register({ username: 'Bob-UPPER', password: 'pw-b', admin: false });
      assert.equal(capitals.statusCode, 200, capitals.body);
      assert.equal(capitals.json().user_id, `@bob-upper:${TEST_SERVER_NAME}`);
      const nonceForLower = (await app.inject({ method: 'GET', url: URL })).json().nonce as string;
      const macOverLowercased = sharedSecretMac(TEST_SHARED_SECRET, {
        nonce: nonceForLower,
        username: 'carol',
        password: 'pw-c',
        admin: false,
      });
      const mismatched = await app.inject({
        method: 'POST',
        url: URL,
        payload: {
          nonce: nonceForLower,
          username: 'CAROL',
          password: 'pw-c',
          admin: false,
          mac: macOverLowercased,
        },
      });
      assert.equal(mismatched.statusCode, 403);
      // Lowercasing makes a taken name taken whatever its case.
      const takenUpper = await register({ username: 'ALICE', password: 'x', admin: false });
      assert.equal(takenUpper.json().errcode, 'M_USER_IN_USE');
      assert.deepEqual((await listUsers(db)).map((u) => u.localpart).sort(), [
        'alice',
        'bob-upper',
      ]);
    }));
}
