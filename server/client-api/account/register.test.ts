// POST /register with user-interactive auth, GET /register/available and the registration token
// validity check, on both databases, responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../../conformance-tests/support/databases.ts';
import { verifyPassword } from '../../accounts/password-hash.ts';
import { lookupAccessToken } from '../../storage/access-tokens.ts';
import { getDevice } from '../../storage/devices.ts';
import { getProfile } from '../../storage/profiles.ts';
import {
  createRegistrationToken,
  hashRegistrationToken,
} from '../../storage/registration-tokens.ts';
import { getUserByLocalpart, listUsers } from '../../storage/users.ts';

const REGISTER = '/_matrix/client/v3/register';
const OPEN = { CAIRN_ENABLE_REGISTRATION: 'true' };
const WITH_TOKEN = { ...OPEN, CAIRN_REGISTRATION_REQUIRES_TOKEN: 'true' };
const ACCOUNT_TABLES = ['users', 'devices', 'access_tokens', 'profiles'] as const;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: register with m.login.dummy: 401 flows, then the account and a login`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const body = {
          username: 'Alice',
          password: 'pw-alice',
          device_id: 'PHONE',
          initial_device_display_name: 'My phone',
        };
        const first = await client.call('POST', REGISTER, { body });
        assert.equal(first.status, 401);
        assert.deepEqual(first.body.flows, [{ stages: ['m.login.dummy'] }]);
        assert.equal(first.body.errcode, undefined, 'no errcode before any attempt');
        assert.equal(typeof first.body.session, 'string');

        const done = await client.call('POST', REGISTER, {
          body: { ...body, auth: { type: 'm.login.dummy', session: first.body.session } },
        });
        assert.equal(done.status, 200);
        // The username is mapped onto the grammar: lower case.
        assert.equal(done.body.user_id, '@alice:example.org');
        assert.equal(done.body.device_id, 'PHONE');
        assert.equal(done.body.refresh_token, undefined);
        const owner = await lookupAccessToken(client.db, done.body.access_token);
        assert.deepEqual(owner, {
          userId: '@alice:example.org',
          deviceId: 'PHONE',
          expiresTs: null,
        });
        const device = await getDevice(client.db, '@alice:example.org', 'PHONE');
        assert.equal(device?.displayName, 'My phone');
        const user = await getUserByLocalpart(client.db, 'alice');
        assert.equal(await verifyPassword('pw-alice', user!.passwordHash!), true);
        assert.equal(user!.isAdmin, false);
        assert.deepEqual(await getProfile(client.db, '@alice:example.org'), {
          displayname: 'alice',
          avatarUrl: null,
        });

        // The completed session authorised one registration only.
        const replay = await client.call('POST', REGISTER, {
          body: { username: 'bob', auth: { type: 'm.login.dummy', session: first.body.session } },
        });
        assert.equal(replay.status, 401);
        assert.equal(replay.body.errcode, 'M_UNKNOWN');
        assert.notEqual(replay.body.session, first.body.session);
      },
      OPEN,
    ));

  test(`${kind}: register options: inhibit_login, refresh tokens, generated names, no password`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const dummy = { type: 'm.login.dummy' };
        const inhibited = await client.call('POST', REGISTER, {
          body: { username: 'bob', password: 'pw', inhibit_login: true, auth: dummy },
        });
        assert.equal(inhibited.status, 200);
        assert.deepEqual(Object.keys(inhibited.body).sort(), ['home_server', 'user_id']);
        assert.equal(
          await client.db.selectFrom('devices').selectAll().executeTakeFirst(),
          undefined,
        );

        const refreshing = await client.call('POST', REGISTER, {
          body: { username: 'carol', password: 'pw', refresh_token: true, auth: dummy },
        });
        assert.equal(refreshing.status, 200);
        assert.match(refreshing.body.refresh_token, /^cairnr_/);
        assert.equal(refreshing.body.expires_in_ms, 300_000);
        const owner = await lookupAccessToken(client.db, refreshing.body.access_token);
        assert.equal(owner?.expiresTs, TEST_NOW + 300_000);
        assert.match(refreshing.body.device_id, /^[A-Z]{10}$/);

        // No username: the server picks one; no password: the account has none.
        const anonymous = await client.call('POST', REGISTER, { body: { auth: dummy } });
        assert.equal(anonymous.status, 200);
        assert.match(anonymous.body.user_id, /^@user-[0-9a-f]{12}:example\.org$/);
        const users = await listUsers(client.db);
        assert.equal(users.find((u) => u.userId === anonymous.body.user_id)?.passwordHash, null);
      },
      OPEN,
    ));

  test(`${kind}: register refusals come before authentication and store nothing`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        await client.newAccount('taken');
        const before = await snapshotTables(client.db, ACCOUNT_TABLES);
        const dummy = { type: 'm.login.dummy' };
        const guest = await client.call('POST', `${REGISTER}?kind=guest`, { body: {} });
        assertError(guest, 403, 'M_GUEST_ACCESS_FORBIDDEN');
        assertError(
          await client.call('POST', REGISTER, { body: { username: 'taken', auth: dummy } }),
          400,
          'M_USER_IN_USE',
        );
        assertError(
          await client.call('POST', REGISTER, { body: { username: 'Taken', auth: dummy } }),
          400,
          'M_USER_IN_USE',
        );
        for (const username of ['has space', 'ümlaut', '', 'a:b', 'x'.repeat(250)]) {
          assertError(
            await client.call('POST', REGISTER, { body: { username, auth: dummy } }),
            400,
            'M_INVALID_USERNAME',
          );
        }
        const bad: [unknown, string][] = [
          [{ username: 5 }, 'M_BAD_JSON'],
          [{ password: ['x'] }, 'M_BAD_JSON'],
          [{ auth: 'dummy' }, 'M_BAD_JSON'],
          [{ auth: { type: 7 } }, 'M_BAD_JSON'],
          [{ inhibit_login: 'yes' }, 'M_BAD_JSON'],
          [{ device_id: '' }, 'M_BAD_JSON'],
          [[1, 2], 'M_BAD_JSON'],
        ];
        for (const [body, errcode] of bad) {
          assertError(await client.call('POST', REGISTER, { body }), 400, errcode);
        }
        assertError(
          await client.call('POST', REGISTER, { rawBody: '{"username":' }),
          400,
          'M_NOT_JSON',
        );
        assertError(await client.call('POST', REGISTER), 400, 'M_NOT_JSON');
        assertError(
          await client.call('POST', `${REGISTER}?kind=robot`, { body: {} }),
          400,
          'M_INVALID_PARAM',
        );
        assert.equal(await snapshotTables(client.db, ACCOUNT_TABLES), before);
      },
      OPEN,
    ));

  test(`${kind}: register is 403 M_FORBIDDEN while registration is disabled`, (t) =>
    withClient(t, kind, async (client) => {
      const result = await client.call('POST', REGISTER, {
        body: { username: 'alice', auth: { type: 'm.login.dummy' } },
      });
      assertError(result, 403, 'M_FORBIDDEN');
      assert.deepEqual(await listUsers(client.db), []);
      assertError(
        await client.call(
          'GET',
          '/_matrix/client/v1/register/m.login.registration_token/validity?token=abc',
        ),
        403,
        'M_FORBIDDEN',
      );
    }));

  test(`${kind}: UIA stages out of order, unknown or failing get a 401 that keeps the session`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const first = await client.call('POST', REGISTER, { body: {} });
        const session = first.body.session;
        const wrongStage = await client.call('POST', REGISTER, {
          body: { auth: { type: 'm.login.password', session } },
        });
        assertError(wrongStage, 401, 'M_UNRECOGNIZED');
        assert.equal(wrongStage.body.session, session);
        assert.deepEqual(wrongStage.body.flows, first.body.flows);

        // A session made for another endpoint (or a made-up one) is not accepted here.
        const unknown = await client.call('POST', REGISTER, {
          body: { auth: { type: 'm.login.dummy', session: 'made-up' } },
        });
        assertError(unknown, 401, 'M_UNKNOWN');
        assert.notEqual(unknown.body.session, 'made-up');

        // Only the session key, before any stage: still a plain challenge.
        const resumed = await client.call('POST', REGISTER, { body: { auth: { session } } });
        assert.equal(resumed.status, 401);
        assert.equal(resumed.body.errcode, undefined);
        assert.equal(resumed.body.session, session);
        assert.deepEqual(await listUsers(client.db), []);
      },
      OPEN,
    ));

  test(`${kind}: token registration: the token is checked, counted and used up`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        await createRegistrationToken(client.db, { token: 'once', usesAllowed: 1, now: TEST_NOW });
        await createRegistrationToken(client.db, {
          token: 'expired',
          expiryTs: TEST_NOW - 1,
          now: TEST_NOW,
        });
        const validity = (token: string) =>
          client.call(
            'GET',
            `/_matrix/client/v1/register/m.login.registration_token/validity?token=${token}`,
          );
        assert.deepEqual((await validity('once')).body, { valid: true });
        assert.deepEqual((await validity('expired')).body, { valid: false });
        assert.deepEqual((await validity('unknown')).body, { valid: false });
        assertError(
          await client.call(
            'GET',
            '/_matrix/client/v1/register/m.login.registration_token/validity',
          ),
          400,
          'M_MISSING_PARAM',
        );

        const first = await client.call('POST', REGISTER, { body: { username: 'dave' } });
        assert.deepEqual(first.body.flows, [{ stages: ['m.login.registration_token'] }]);
        const session = first.body.session;
        // Dummy auth is not offered when a token is required.
        assertError(
          await client.call('POST', REGISTER, {
            body: { username: 'dave', auth: { type: 'm.login.dummy', session } },
          }),
          401,
          'M_UNRECOGNIZED',
        );
        for (const token of ['expired', 'unknown', 'x'.repeat(65)]) {
          const refused = await client.call('POST', REGISTER, {
            body: {
              username: 'dave',
              auth: { type: 'm.login.registration_token', token, session },
            },
          });
          assert.equal(refused.status, 401);
          assert.ok(['M_FORBIDDEN', 'M_BAD_JSON'].includes(refused.body.errcode));
          assert.equal(refused.body.completed, undefined);
        }
        const ok = await client.call('POST', REGISTER, {
          body: {
            username: 'dave',
            password: 'pw',
            auth: { type: 'm.login.registration_token', token: 'once', session },
          },
        });
        assert.equal(ok.status, 200);
        assert.equal(ok.body.user_id, '@dave:example.org');
        assert.deepEqual((await validity('once')).body, { valid: false });
        const again = await client.call('POST', REGISTER, {
          body: { username: 'erin', auth: { type: 'm.login.registration_token', token: 'once' } },
        });
        assertError(again, 401, 'M_FORBIDDEN');
        assert.deepEqual(
          (await listUsers(client.db)).map((u) => u.localpart),
          ['dave'],
        );
      },
      WITH_TOKEN,
    ));

  test(`${kind}: token registration: a token the operator inserted as a digest, near misses`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        // The README's way to issue a token by hand: only its SHA-256 digest goes in the table.
        const token = 'clé-🎟-2';
        await sql`INSERT INTO registration_tokens (token_hash, uses_allowed, created_ts)
          VALUES (encode(sha256(convert_to(${token}, 'UTF8')), 'hex'), 1, ${TEST_NOW})`.execute(
          client.db,
        );
        const validity = async (value: string) =>
          (
            await client.call(
              'GET',
              `/_matrix/client/v1/register/m.login.registration_token/validity?token=${encodeURIComponent(value)}`,
            )
          ).body;
        assert.deepEqual(await validity(token), { valid: true });
        for (const guess of ['clé-🎟-', 'clé-🎟-20', 'CLÉ-🎟-2', hashRegistrationToken(token)]) {
          assert.deepEqual(await validity(guess), { valid: false }, guess);
          const refused = await client.call('POST', REGISTER, {
            body: { username: 'heidi', auth: { type: 'm.login.registration_token', token: guess } },
          });
          assertError(refused, 401, 'M_FORBIDDEN');
        }
        const ok = await client.call('POST', REGISTER, {
          body: { username: 'heidi', auth: { type: 'm.login.registration_token', token } },
        });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.deepEqual(await validity(token), { valid: false });
        const rows = await client.db
          .selectFrom('registration_tokens')
          .select(['token_hash', 'completed'])
          .execute();
        assert.deepEqual(rows, [{ token_hash: hashRegistrationToken(token), completed: 1 }]);
      },
      WITH_TOKEN,
    ));

  test(`${kind}: two registrations racing for a token's last use: exactly one wins`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        await createRegistrationToken(client.db, { token: 'last', usesAllowed: 1, now: TEST_NOW });
        const results = await Promise.all(
          ['frank', 'grace'].map((username) =>
            client.call('POST', REGISTER, {
              body: { username, auth: { type: 'm.login.registration_token', token: 'last' } },
            }),
          ),
        );
        const statuses = results.map((r) => r.status).sort();
        // The loser fails at the token stage (401) or, if both passed it, when the use is
        // counted with the account (403); either way with M_FORBIDDEN.
        assert.equal(statuses[0], 200, JSON.stringify(results));
        assert.ok([401, 403].includes(statuses[1]!), JSON.stringify(results));
        assert.equal(results.find((r) => r.status !== 200)?.body.errcode, 'M_FORBIDDEN');
        assert.equal((await listUsers(client.db)).length, 1);
      },
      WITH_TOKEN,
    ));

  test(`${kind}: GET /register/available`, (t) =>
    withClient(t, kind, async (client) => {
      await client.newAccount('taken');
      const url = '/_matrix/client/v3/register/available?username=';
      const free = await client.call('GET', `${url}free`);
      assert.deepEqual(free, { status: 200, body: { available: true } });
      assertError(await client.call('GET', `${url}taken`), 400, 'M_USER_IN_USE');
      assertError(await client.call('GET', `${url}no%20spaces`), 400, 'M_INVALID_USERNAME');
      assertError(
        await client.call('GET', '/_matrix/client/v3/register/available'),
        400,
        'M_MISSING_PARAM',
      );
    }));
}
