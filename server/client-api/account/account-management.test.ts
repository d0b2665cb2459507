// Password change and deactivation through user-interactive auth, on both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  TEST_PASSWORD,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { verifyPassword } from '../../accounts/password-hash.ts';
import { getAccountData, setAccountData } from '../../storage/account-data.ts';
import { listDevices } from '../../storage/devices.ts';
import { getProfile } from '../../storage/profiles.ts';
import { getUserById } from '../../storage/users.ts';

const PASSWORD = '/_matrix/client/v3/account/password';
const DEACTIVATE = '/_matrix/client/v3/account/deactivate';
const WHOAMI = '/_matrix/client/v3/account/whoami';

const passwordAuth = (user: string, session?: string, password = TEST_PASSWORD) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user },
  password,
  ...(session === undefined ? {} : { session }),
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: change password: 401 challenge, wrong password, then success`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice', { deviceId: 'HERE' });
      const other = await client.newLogin(alice.userId, 'ELSEWHERE');

      const challenge = await client.call('POST', PASSWORD, {
        token: alice.accessToken,
        body: { new_password: 'new-pw' },
      });
      assert.equal(challenge.status, 401);
      assert.deepEqual(challenge.body.flows, [{ stages: ['m.login.password'] }]);
      const session = challenge.body.session;

      const wrong = await client.call('POST', PASSWORD, {
        token: alice.accessToken,
        body: { new_password: 'new-pw', auth: passwordAuth('alice', session, 'wrong') },
      });
      assertError(wrong, 401, 'M_FORBIDDEN');
      assert.equal(wrong.body.session, session);
      assert.deepEqual(wrong.body.flows, challenge.body.flows);

      // Proving someone else's password proves nothing about this session's user: a plain 403
      // (as Synapse; the spec lists no 403 here), and the session can still be completed.
      await client.newAccount('mallory');
      assertError(
        await client.call('POST', PASSWORD, {
          token: alice.accessToken,
          body: { new_password: 'new-pw', auth: passwordAuth('mallory', session) },
          unchecked: true,
        }),
        403,
        'M_FORBIDDEN',
      );
      let user = await getUserById(client.db, alice.userId);
      assert.equal(await verifyPassword(TEST_PASSWORD, user!.passwordHash!), true);

      const ok = await client.call('POST', PASSWORD, {
        token: alice.accessToken,
        body: { new_password: 'new-pw', auth: passwordAuth('alice', session) },
      });
      assert.deepEqual(ok, { status: 200, body: {} });
      user = await getUserById(client.db, alice.userId);
      assert.equal(await verifyPassword('new-pw', user!.passwordHash!), true);
      // logout_devices defaults to true; the requesting device stays logged in.
      assert.equal((await client.call('GET', WHOAMI, { token: alice.accessToken })).status, 200);
      assertError(
        await client.call('GET', WHOAMI, { token: other.accessToken }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      assert.deepEqual(
        (await listDevices(client.db, alice.userId)).map((d) => d.deviceId),
        ['HERE'],
      );
    }));

  test(`${kind}: change password with logout_devices false, and without an access token`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const other = await client.newLogin(alice.userId, 'OTHER');
      const kept = await client.call('POST', PASSWORD, {
        token: alice.accessToken,
        body: { new_password: 'pw-2', logout_devices: false, auth: passwordAuth('alice') },
      });
      assert.equal(kept.status, 200);
      assert.equal((await client.call('GET', WHOAMI, { token: other.accessToken })).status, 200);

      // No access token: the password stage names the account, and all its devices go.
      const anonymous = await client.call('POST', PASSWORD, {
        body: { new_password: 'pw-3', auth: passwordAuth('@alice:example.org', undefined, 'pw-2') },
      });
      assert.equal(anonymous.status, 200);
      assert.deepEqual(await listDevices(client.db, alice.userId), []);
      const user = await getUserById(client.db, alice.userId);
      assert.equal(await verifyPassword('pw-3', user!.passwordHash!), true);
    }));

  test(`${kind}: change password refusals`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      // The spec documents this endpoint's 401 as the UIA response only; an unknown token still
      // gets the standard M_UNKNOWN_TOKEN error (as on every authenticated endpoint).
      assertError(
        await client.call('POST', PASSWORD, {
          token: 'bogus',
          body: { new_password: 'x' },
          unchecked: true,
        }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      for (const body of [
        {},
        { new_password: '' },
        { new_password: 7 },
        { new_password: 'x', logout_devices: 'no' },
      ]) {
        assertError(
          await client.call('POST', PASSWORD, { token: alice.accessToken, body }),
          400,
          'M_BAD_JSON',
        );
      }
      const user = await getUserById(client.db, alice.userId);
      assert.equal(await verifyPassword(TEST_PASSWORD, user!.passwordHash!), true);
    }));

  test(`${kind}: deactivation: UIA, then no login, no devices, no tokens`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const other = await client.newLogin(alice.userId, 'OTHER');
      await setAccountData(client.db, {
        userId: alice.userId,
        roomId: '',
        type: 'org.example.settings',
        content: { a: 1 },
      });
      const challenge = await client.call('POST', DEACTIVATE, {
        token: alice.accessToken,
        body: {},
      });
      assert.equal(challenge.status, 401);
      assert.deepEqual(challenge.body.flows, [{ stages: ['m.login.password'] }]);
      assertError(
        await client.call('POST', DEACTIVATE, {
          token: alice.accessToken,
          body: { auth: passwordAuth('alice', challenge.body.session, 'nope') },
        }),
        401,
        'M_FORBIDDEN',
      );
      assert.equal((await getUserById(client.db, alice.userId))?.isDeactivated, false);

      const done = await client.call('POST', DEACTIVATE, {
        token: alice.accessToken,
        body: { auth: passwordAuth('alice', challenge.body.session) },
      });
      assert.deepEqual(done, { status: 200, body: { id_server_unbind_result: 'success' } });
      assert.equal((await getUserById(client.db, alice.userId))?.isDeactivated, true);
      assert.deepEqual(await listDevices(client.db, alice.userId), []);
      for (const token of [alice.accessToken, other.accessToken]) {
        assertError(await client.call('GET', WHOAMI, { token }), 401, 'M_UNKNOWN_TOKEN');
      }
      // Without erase, account data and profile are kept.
      assert.deepEqual(await getAccountData(client.db, alice.userId, '', 'org.example.settings'), {
        a: 1,
      });
      assert.equal((await getProfile(client.db, alice.userId))?.displayname, 'alice');
      // A deactivated account cannot pass a password stage either.
      assertError(
        await client.call('POST', DEACTIVATE, { body: { auth: passwordAuth('alice') } }),
        401,
        'M_FORBIDDEN',
      );
    }));

  test(`${kind}: deactivation with erase, and without an access token`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      await setAccountData(client.db, {
        userId: alice.userId,
        roomId: '',
        type: 'org.example.settings',
        content: { a: 1 },
      });
      const done = await client.call('POST', DEACTIVATE, {
        body: { erase: true, auth: passwordAuth('alice') },
      });
      assert.equal(done.status, 200);
      assert.equal(
        await getAccountData(client.db, alice.userId, '', 'org.example.settings'),
        undefined,
      );
      assert.deepEqual(await getProfile(client.db, alice.userId), {
        displayname: null,
        avatarUrl: null,
      });
      assertError(
        await client.call('POST', DEACTIVATE, { body: { erase: 'yes' } }),
        400,
        'M_BAD_JSON',
      );
    }));
}
