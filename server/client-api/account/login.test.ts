// Login, refresh, logout and whoami on both databases, responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  TEST_PASSWORD,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../../conformance-tests/support/databases.ts';
import { deactivateAccount } from '../../accounts/deactivate-account.ts';
import { buildClientApp } from '../../app.ts';
import { lookupAccessToken } from '../../storage/access-tokens.ts';
import { getDevice, listDevices } from '../../storage/devices.ts';

const LOGIN = '/_matrix/client/v3/login';
const WHOAMI = '/_matrix/client/v3/account/whoami';
const REFRESH = '/_matrix/client/v3/refresh';

const byPassword = (user: string, password = TEST_PASSWORD) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user },
  password,
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: GET /login lists the password flow only`, (t) =>
    withClient(t, kind, async (client) => {
      const flows = await client.call('GET', LOGIN);
      assert.deepEqual(flows, { status: 200, body: { flows: [{ type: 'm.login.password' }] } });
    }));

  test(`${kind}: password login by localpart, full user id or legacy user field`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bodies = [
        byPassword('alice'),
        byPassword('@alice:example.org'),
        byPassword('ALICE'),
        { type: 'm.login.password', user: 'alice', password: TEST_PASSWORD },
      ];
      for (const body of bodies) {
        const result = await client.call('POST', LOGIN, { body });
        assert.equal(result.status, 200, JSON.stringify(body));
        assert.equal(result.body.user_id, alice.userId);
        assert.equal(result.body.refresh_token, undefined);
        const whoami = await client.call('GET', WHOAMI, { token: result.body.access_token });
        assert.deepEqual(whoami.body, {
          user_id: alice.userId,
          device_id: result.body.device_id,
          is_guest: false,
        });
      }
      // Each login without a device id is a new device.
      assert.equal((await listDevices(client.db, alice.userId)).length, 1 + bodies.length);
    }));

  test(`${kind}: login with a known device id replaces that device's token`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice', { deviceId: 'LAPTOP' });
      const result = await client.call('POST', LOGIN, {
        body: { ...byPassword('alice'), device_id: 'LAPTOP', initial_device_display_name: 'new' },
      });
      assert.equal(result.body.device_id, 'LAPTOP');
      assert.equal(await lookupAccessToken(client.db, alice.accessToken), undefined);
      assert.ok(await lookupAccessToken(client.db, result.body.access_token));
      // The display name of an existing device is left alone (spec).
      assert.equal((await getDevice(client.db, alice.userId, 'LAPTOP'))?.displayName, null);
      const named = await client.call('POST', LOGIN, {
        body: { ...byPassword('alice'), device_id: 'TABLET', initial_device_display_name: 'Tab' },
      });
      assert.equal(
        (await getDevice(client.db, alice.userId, named.body.device_id))?.displayName,
        'Tab',
      );
    }));

  test(`${kind}: login refusals: 403 for bad credentials, 400 for bad requests, nothing stored`, (t) =>
    withClient(t, kind, async (client) => {
      await client.newAccount('alice');
      const before = await snapshotTables(client.db, ['devices', 'access_tokens']);
      const forbidden = [
        byPassword('alice', 'wrong'),
        byPassword('nobody'),
        byPassword('@alice:elsewhere.example'),
        {
          type: 'm.login.password',
          identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'a@b.c' },
          password: 'x',
        },
        { type: 'm.login.password', medium: 'email', address: 'a@b.c', password: 'x' },
      ];
      for (const body of forbidden) {
        assertError(await client.call('POST', LOGIN, { body }), 403, 'M_FORBIDDEN');
      }
      const badRequests: [unknown, string][] = [
        [{ type: 'm.login.token', token: 'abc' }, 'M_UNKNOWN'],
        [{ ...byPassword('alice'), type: 'org.example.magic' }, 'M_UNKNOWN'],
        [
          { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' } },
          'M_BAD_JSON',
        ],
        [{ type: 'm.login.password', password: 'x' }, 'M_BAD_JSON'],
        [
          { type: 'm.login.password', identifier: { type: 'm.id.user' }, password: 'x' },
          'M_BAD_JSON',
        ],
        [{ type: 'm.login.password', identifier: 'alice', password: 'x' }, 'M_BAD_JSON'],
        [{ identifier: { type: 'm.id.user', user: 'alice' }, password: 'x' }, 'M_BAD_JSON'],
        [{ ...byPassword('alice'), refresh_token: 'yes' }, 'M_BAD_JSON'],
        [{ ...byPassword('alice'), password: 5 }, 'M_BAD_JSON'],
      ];
      for (const [body, errcode] of badRequests) {
        assertError(await client.call('POST', LOGIN, { body }), 400, errcode);
      }
      assertError(await client.call('POST', LOGIN, { rawBody: 'not json' }), 400, 'M_NOT_JSON');
      assert.equal(await snapshotTables(client.db, ['devices', 'access_tokens']), before);
    }));

  test(`${kind}: a deactivated account gets M_USER_DEACTIVATED, but only with its password`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      await deactivateAccount(client.db, alice.userId, { erase: false });
      assertError(
        await client.call('POST', LOGIN, { body: byPassword('alice') }),
        403,
        'M_USER_DEACTIVATED',
      );
      assertError(
        await client.call('POST', LOGIN, { body: byPassword('alice', 'guess') }),
        403,
        'M_FORBIDDEN',
      );
    }));

  test(`${kind}: refresh tokens: expiring access tokens, rotation, retry, revocation`, (t) =>
    withClient(t, kind, async (client) => {
      await client.newAccount('alice');
      const login = await client.call('POST', LOGIN, {
        body: { ...byPassword('alice'), refresh_token: true },
      });
      assert.equal(login.body.expires_in_ms, 300_000);
      const first = { access: login.body.access_token, refresh: login.body.refresh_token };
      assert.equal(
        (await lookupAccessToken(client.db, first.access))?.expiresTs,
        TEST_NOW + 300_000,
      );

      const second = await client.call('POST', REFRESH, { body: { refresh_token: first.refresh } });
      assert.equal(second.status, 200);
      assert.equal(second.body.expires_in_ms, 300_000);
      assert.notEqual(second.body.refresh_token, first.refresh);
      // The old access token is replaced at once.
      assertError(
        await client.call('GET', WHOAMI, { token: first.access }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      assert.equal(
        (await client.call('GET', WHOAMI, { token: second.body.access_token })).status,
        200,
      );

      // A client that lost that response retries with the old refresh token: it gets a new pair
      // and the pair it lost stops working.
      const retried = await client.call('POST', REFRESH, {
        body: { refresh_token: first.refresh },
      });
      assert.equal(retried.status, 200);
      assertError(
        await client.call('GET', WHOAMI, { token: second.body.access_token }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      assertError(
        await client.call('POST', REFRESH, { body: { refresh_token: second.body.refresh_token } }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      // Once the new refresh token is used, the old one is revoked for good.
      const third = await client.call('POST', REFRESH, {
        body: { refresh_token: retried.body.refresh_token },
      });
      assert.equal(third.status, 200);
      const stale = await client.call('POST', REFRESH, { body: { refresh_token: first.refresh } });
      assertError(stale, 401, 'M_UNKNOWN_TOKEN');
      assert.equal(stale.body.soft_logout, false);
      assert.equal(
        (await client.call('GET', WHOAMI, { token: third.body.access_token })).status,
        200,
      );

      assertError(await client.call('POST', REFRESH, { body: {} }), 400, 'M_BAD_JSON');
      assertError(
        await client.call('POST', REFRESH, { body: { refresh_token: 'nonsense' } }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      // Logging out deletes the device, and the refresh token with it.
      await client.call('POST', '/_matrix/client/v3/logout', { token: third.body.access_token });
      assertError(
        await client.call('POST', REFRESH, { body: { refresh_token: third.body.refresh_token } }),
        401,
        'M_UNKNOWN_TOKEN',
      );
    }));

  test(`${kind}: an expired access token is a soft logout`, (t) =>
    withClient(t, kind, async (client) => {
      await client.newAccount('alice');
      const login = await client.call('POST', LOGIN, {
        body: { ...byPassword('alice'), refresh_token: true },
      });
      const later = { ...client.ctx, now: () => TEST_NOW + 300_000 };
      const app = buildClientApp(later);
      const response = await app.inject({
        method: 'GET',
        url: WHOAMI,
        headers: { authorization: `Bearer ${login.body.access_token}` },
      });
      assert.equal(response.statusCode, 401);
      assert.deepEqual(
        { errcode: response.json().errcode, soft_logout: response.json().soft_logout },
        { errcode: 'M_UNKNOWN_TOKEN', soft_logout: true },
      );
      const refreshed = await app.inject({
        method: 'POST',
        url: REFRESH,
        payload: { refresh_token: login.body.refresh_token },
      });
      assert.equal(refreshed.statusCode, 200);
    }));

  test(`${kind}: logout deletes the device; logout/all deletes every device`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice', { deviceId: 'ONE' });
      const two = await client.newLogin(alice.userId, 'TWO');
      const three = await client.newLogin(alice.userId, 'THREE');
      const bob = await client.newAccount('bob');

      assert.deepEqual(
        await client.call('POST', '/_matrix/client/v3/logout', { token: alice.accessToken }),
        { status: 200, body: {} },
      );
      assert.equal(await getDevice(client.db, alice.userId, 'ONE'), undefined);
      assertError(
        await client.call('GET', WHOAMI, { token: alice.accessToken }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      assert.equal((await client.call('GET', WHOAMI, { token: two.accessToken })).status, 200);

      const all = await client.call('POST', '/_matrix/client/v3/logout/all', {
        token: two.accessToken,
      });
      assert.deepEqual(all, { status: 200, body: {} });
      assert.deepEqual(await listDevices(client.db, alice.userId), []);
      assertError(
        await client.call('GET', WHOAMI, { token: three.accessToken }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      // Other users are untouched.
      assert.equal((await client.call('GET', WHOAMI, { token: bob.accessToken })).status, 200);

      for (const url of ['/_matrix/client/v3/logout', '/_matrix/client/v3/logout/all', WHOAMI]) {
        const method = url === WHOAMI ? 'GET' : 'POST';
        assertError(await client.call(method, url), 401, 'M_MISSING_TOKEN');
        assertError(await client.call(method, url, { token: 'nope' }), 401, 'M_UNKNOWN_TOKEN');
      }
    }));
}
