// Application services on both databases: identity assertion with the as_token (the sender,
// masquerading in and out of the users namespace, unregistered users, device_id), registration
// and login with m.login.application_service, M_EXCLUSIVE for ordinary sign-ups, and exemption
// from per-user and per-IP rate limits (always for the sender, for masqueraded users only with
// rate_limited: false).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  assertError,
  type CallResult,
  type ClientHarness,
  withClient,
} from '../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../conformance-tests/support/databases.ts';
import { callFrom } from '../../conformance-tests/support/request-from.ts';
import { roomPath } from '../../conformance-tests/support/room-client.ts';
import { getUserById } from '../storage/users.ts';
import { APP_SERVICE_DEVICE_ID } from './assert-identity.ts';
import { createAppServiceSenders } from './create-senders.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-as-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const BRIDGE_TOKEN = 'bridge-as-token';
const LOGGER_TOKEN = 'logger-as-token';
// An exclusive bridge, exempt from rate limits for its puppets.
const bridgeFile = join(dir, 'bridge.yaml');
writeFileSync(
  bridgeFile,
  `id: bridge
url: "http://127.0.0.1:9"
as_token: ${BRIDGE_TOKEN}
hs_token: bridge-hs-token
sender_localpart: _bridge_bot
rate_limited: false
namespaces:
  users: [{ exclusive: true, regex: "@_bridge_.*:example\\\\.org" }]
  aliases: []
  rooms: []
`,
);
// A shared (non-exclusive) namespace, rate limited as the spec's default.
const loggerFile = join(dir, 'logger.yaml');
writeFileSync(
  loggerFile,
  `id: logger
url: null
as_token: ${LOGGER_TOKEN}
hs_token: logger-hs-token
sender_localpart: logbot
namespaces:
  users: [{ exclusive: false, regex: "@log_.*" }]
`,
);
const APP_SERVICES = { CAIRN_APP_SERVICE_CONFIG_FILES: `${bridgeFile},${loggerFile}` };
const REGISTER = '/_matrix/client/v3/register';
const LOGIN = '/_matrix/client/v3/login';
const WHOAMI = '/_matrix/client/v3/account/whoami';

async function withAppServices(
  t: Parameters<typeof withClient>[0],
  kind: Parameters<typeof withClient>[1],
  fn: (client: ClientHarness) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  return withClient(
    t,
    kind,
    async (client) => {
      await createAppServiceSenders(
        { ...client.ctx, serverName: client.ctx.config.serverName },
        client.ctx.appServices,
      );
      await fn(client);
    },
    { ...APP_SERVICES, ...env },
  );
}

function registerAs(client: ClientHarness, token: string | undefined, body: object) {
  return client.call('POST', REGISTER, {
    ...(token === undefined ? {} : { token }),
    body: { type: 'm.login.application_service', ...body },
    // The OpenAPI description knows only the UIA 401 here; the application service API gives
    // 401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN for a missing or bad as_token (checked below).
    unchecked: token !== BRIDGE_TOKEN && token !== LOGGER_TOKEN,
  });
}

function whoami(client: ClientHarness, token: string, query = '') {
  return client.call('GET', `${WHOAMI}${query}`, { token });
}

function assertOk(result: CallResult): void {
  assert.equal(result.status, 200, JSON.stringify(result.body));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the as_token acts as the sender, or as registered users of its namespace`, (t) =>
    withAppServices(t, kind, async (client) => {
      // The senders exist (created at start) and creating them again changes nothing.
      const bot = await getUserById(client.db, '@_bridge_bot:example.org');
      assert.equal(bot?.passwordHash, null);
      await createAppServiceSenders(
        { ...client.ctx, serverName: 'example.org' },
        client.ctx.appServices,
      );

      assert.deepEqual((await whoami(client, BRIDGE_TOKEN)).body, {
        user_id: '@_bridge_bot:example.org',
        device_id: APP_SERVICE_DEVICE_ID,
        is_guest: false,
      });
      assert.equal((await whoami(client, LOGGER_TOKEN)).body.user_id, '@logbot:example.org');
      // The deprecated query parameter carries it too.
      const viaQuery = await client.call('GET', `${WHOAMI}?access_token=${BRIDGE_TOKEN}`);
      assert.equal(viaQuery.body.user_id, '@_bridge_bot:example.org');
      assertError(await whoami(client, `${BRIDGE_TOKEN}x`), 401, 'M_UNKNOWN_TOKEN');

      assertOk(await registerAs(client, BRIDGE_TOKEN, { username: '_bridge_alice' }));
      const puppet = '@_bridge_alice:example.org';
      const as = (userId: string, extra = '') =>
        whoami(client, BRIDGE_TOKEN, `?user_id=${encodeURIComponent(userId)}${extra}`);
      assert.deepEqual((await as(puppet)).body, {
        user_id: puppet,
        device_id: APP_SERVICE_DEVICE_ID,
        is_guest: false,
      });
      assert.equal((await as('@_bridge_bot:example.org')).body.user_id, '@_bridge_bot:example.org');
      // Outside the namespace, not registered, on another server, another service's user.
      await client.newAccount('alice');
      assertError(await as('@alice:example.org'), 403, 'M_FORBIDDEN');
      assertError(await as('@_bridge_nobody:example.org'), 403, 'M_FORBIDDEN');
      assertError(await as('@_bridge_alice:elsewhere.org'), 403, 'M_FORBIDDEN');
      assertError(await as('@logbot:example.org'), 403, 'M_FORBIDDEN');
      assertError(await whoami(client, BRIDGE_TOKEN, '?user_id='), 400, 'M_INVALID_PARAM');
      const twice = `?user_id=${encodeURIComponent(puppet)}&user_id=${encodeURIComponent(puppet)}`;
      assertError(await whoami(client, BRIDGE_TOKEN, twice), 400, 'M_INVALID_PARAM');
      // user_id means nothing with an ordinary token.
      const alice = await client.newLogin('@alice:example.org');
      assert.equal(
        (await whoami(client, alice.accessToken, `?user_id=${encodeURIComponent(puppet)}`)).body
          .user_id,
        '@alice:example.org',
      );

      // Device masquerading: a device of that user, else refused.
      const login = await client.call('POST', LOGIN, {
        token: BRIDGE_TOKEN,
        body: {
          type: 'm.login.application_service',
          identifier: { type: 'm.id.user', user: '_bridge_alice' },
          device_id: 'PUPPETPHONE',
        },
      });
      assertOk(login);
      assert.equal((await as(puppet, '&device_id=PUPPETPHONE')).body.device_id, 'PUPPETPHONE');
      assertError(await as(puppet, '&device_id=NOSUCH'), 400, 'M_INVALID_PARAM');
      // The fixed device exists (once) for the users the service acted as.
      const devices = await client.db
        .selectFrom('devices')
        .select(['user_id', 'device_id'])
        .where('device_id', '=', APP_SERVICE_DEVICE_ID)
        .orderBy('user_id')
        .execute();
      assert.deepEqual(
        devices.map((d) => d.user_id),
        ['@_bridge_alice:example.org', '@_bridge_bot:example.org', '@logbot:example.org'],
      );
    }));

  test(`${kind}: m.login.application_service registration and login, and M_EXCLUSIVE`, (t) =>
    withAppServices(
      t,
      kind,
      async (client) => {
        const flows = await client.call('GET', LOGIN);
        assert.deepEqual(flows.body.flows.at(-1), { type: 'm.login.application_service' });

        // No UIA, no password; the answer logs in unless inhibit_login.
        const registered = await registerAs(client, BRIDGE_TOKEN, {
          username: '_bridge_Carol',
          device_id: 'CAROLDEV',
        });
        assertOk(registered);
        assert.equal(registered.body.user_id, '@_bridge_carol:example.org');
        assert.equal(registered.body.device_id, 'CAROLDEV');
        assert.equal(
          (await whoami(client, registered.body.access_token)).body.user_id,
          '@_bridge_carol:example.org',
        );
        const quiet = await registerAs(client, BRIDGE_TOKEN, {
          username: '_bridge_dave',
          inhibit_login: true,
        });
        assert.deepEqual(quiet.body, {
          user_id: '@_bridge_dave:example.org',
          home_server: 'example.org',
        });
        assertError(
          await registerAs(client, BRIDGE_TOKEN, { username: '_bridge_dave' }),
          400,
          'M_USER_IN_USE',
        );
        // Outside its namespace; inside another service's exclusive one; a shared one is fine.
        assertError(
          await registerAs(client, BRIDGE_TOKEN, { username: 'eve' }),
          400,
          'M_EXCLUSIVE',
        );
        assertError(
          await registerAs(client, LOGGER_TOKEN, { username: '_bridge_eve' }),
          400,
          'M_EXCLUSIVE',
        );
        assertOk(await registerAs(client, LOGGER_TOKEN, { username: 'log_eve' }));
        assertError(await registerAs(client, LOGGER_TOKEN, {}), 400, 'M_MISSING_PARAM');
        assertError(
          await registerAs(client, LOGGER_TOKEN, { username: 'log eve' }),
          400,
          'M_INVALID_USERNAME',
        );
        // Without a valid as_token: 401, even with an ordinary user's token.
        assertError(
          await registerAs(client, undefined, { username: '_bridge_x' }),
          401,
          'M_MISSING_TOKEN',
        );
        const frank = await client.newAccount('frank');
        assertError(
          await registerAs(client, frank.accessToken, { username: '_bridge_x' }),
          401,
          'M_UNKNOWN_TOKEN',
        );

        // Ordinary sign-up: exclusive names are refused before any auth stage, shared ones not.
        const ordinary = (username: string) =>
          client.call('POST', REGISTER, { body: { username, password: 'a good long password' } });
        assertError(await ordinary('_bridge_grace'), 400, 'M_EXCLUSIVE');
        assert.equal((await ordinary('log_grace')).status, 401); // the UIA challenge
        const available = (username: string) =>
          client.call('GET', `${REGISTER}/available?username=${username}`);
        assertError(await available('_bridge_grace'), 400, 'M_EXCLUSIVE');
        assert.deepEqual((await available('log_grace')).body, { available: true });

        // Login as a user of the namespace, or the sender; not outside it or unregistered.
        const login = (token: string | undefined, user: string) =>
          client.call('POST', LOGIN, {
            ...(token === undefined ? {} : { token }),
            body: { type: 'm.login.application_service', identifier: { type: 'm.id.user', user } },
          });
        const dave = await login(BRIDGE_TOKEN, '@_bridge_dave:example.org');
        assertOk(dave);
        assert.equal(dave.body.user_id, '@_bridge_dave:example.org');
        assert.equal(
          (await whoami(client, dave.body.access_token)).body.user_id,
          '@_bridge_dave:example.org',
        );
        assertOk(await login(LOGGER_TOKEN, 'logbot'));
        assertError(await login(BRIDGE_TOKEN, 'frank'), 400, 'M_EXCLUSIVE');
        assertError(await login(LOGGER_TOKEN, '_bridge_dave'), 400, 'M_EXCLUSIVE');
        assertError(await login(BRIDGE_TOKEN, '_bridge_nobody'), 403, 'M_FORBIDDEN');
        assertError(await login(undefined, '_bridge_dave'), 401, 'M_MISSING_TOKEN');
        assertError(await login('wrong', '_bridge_dave'), 401, 'M_UNKNOWN_TOKEN');
      },
      { CAIRN_ENABLE_REGISTRATION: 'true' },
    ));

  test(`${kind}: with rate_limited false the service's users pass every per-user and per-IP limit`, (t) =>
    withAppServices(
      t,
      kind,
      async (client) => {
        assertOk(await registerAs(client, BRIDGE_TOKEN, { username: '_bridge_alice' }));
        const puppet = `user_id=${encodeURIComponent('@_bridge_alice:example.org')}`;
        const ip = '198.51.100.20';
        for (const query of [puppet, '']) {
          const q = query === '' ? '' : `?${query}`;
          const created = await callFrom(client, 'POST', `/_matrix/client/v3/createRoom${q}`, {
            ip,
            token: BRIDGE_TOKEN,
            body: { preset: 'public_chat' },
          });
          assertOk(created);
          const room = roomPath(created.body.room_id);
          for (let i = 0; i < 8; i++) {
            assertOk(
              await callFrom(client, 'PUT', `${room}/send/m.room.message/x${i}${q}`, {
                ip,
                token: BRIDGE_TOKEN,
                body: { msgtype: 'm.text', body: `${i}` },
              }),
            );
            assertOk(
              await callFrom(client, 'POST', `/_matrix/media/v3/upload${q}`, {
                ip,
                token: BRIDGE_TOKEN,
                bytes: Buffer.from(`m${i}`),
              }),
            );
          }
        }
        // The address's buckets were not touched: an ordinary user behind it has them all.
        const alice = await client.newAccount('alice');
        const created = await callFrom(client, 'POST', '/_matrix/client/v3/createRoom', {
          ip,
          token: alice.accessToken,
          body: {},
        });
        assertOk(created);
        const room = roomPath(created.body.room_id);
        const send = (txn: string) =>
          callFrom(client, 'PUT', `${room}/send/m.room.message/${txn}`, {
            ip,
            token: alice.accessToken,
            body: { msgtype: 'm.text', body: txn },
          });
        assertOk(await send('a1'));
        assertOk(await send('a2'));
        assertError(await send('a3'), 429, 'M_LIMIT_EXCEEDED'); // alice's own limit of 3
        const upload = await callFrom(client, 'POST', '/_matrix/media/v3/upload', {
          ip,
          token: alice.accessToken,
          bytes: Buffer.from('a'),
        });
        assertOk(upload);
      },
      {
        CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_MESSAGES_BURST: '3',
        CAIRN_RATE_LIMIT_MESSAGES_PER_IP_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_MESSAGES_PER_IP_BURST: '4',
        CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_MEDIA_UPLOADS_BURST: '1',
        CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_IP_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_IP_BURST: '1',
      },
    ));

  test(`${kind}: with rate_limited true masqueraded users are limited, the sender is not`, (t) =>
    withAppServices(
      t,
      kind,
      async (client) => {
        assertOk(await registerAs(client, LOGGER_TOKEN, { username: 'log_bob' }));
        const bobQuery = `user_id=${encodeURIComponent('@log_bob:example.org')}`;
        const act = async (query: string, what: string) => {
          const sep = query === '' ? '' : `?${query}`;
          const created = await client.call('POST', `/_matrix/client/v3/createRoom${sep}`, {
            token: LOGGER_TOKEN,
            body: { preset: 'public_chat' },
          });
          assertOk(created);
          const room = roomPath(created.body.room_id);
          const results: number[] = [];
          for (let i = 0; i < 4; i++) {
            const url = `${room}/send/m.room.message/${what}${i}${sep}`;
            results.push(
              (
                await client.call('PUT', url, {
                  token: LOGGER_TOKEN,
                  body: { msgtype: 'm.text', body: 'x' },
                })
              ).status,
            );
          }
          return results;
        };
        // Burst 3: the room and two messages, then 429s.
        assert.deepEqual(await act(bobQuery, 'b'), [200, 200, 429, 429]);
        const limited = await client.call(
          'PUT',
          `/_matrix/client/v3/rooms/${encodeURIComponent('!x:example.org')}/send/m.room.message/z?${bobQuery}`,
          { token: LOGGER_TOKEN, body: { msgtype: 'm.text', body: 'x' } },
        );
        assertError(limited, 429, 'M_LIMIT_EXCEEDED');
        assert.equal(limited.body.retry_after_ms, 10_000);
        assert.deepEqual(await act('', 's'), [200, 200, 200, 200]);
        // Joins too: bob's one join is spent, the sender's are not counted.
        const rooms = await Promise.all(
          [1, 2].map(async () => {
            const made = await client.call('POST', '/_matrix/client/v3/createRoom', {
              token: LOGGER_TOKEN,
              body: { preset: 'public_chat' },
            });
            return made.body.room_id as string;
          }),
        );
        const join = (roomId: string) =>
          client.call('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?${bobQuery}`, {
            token: LOGGER_TOKEN,
            body: {},
          });
        assertOk(await join(rooms[0]!));
        assertError(await join(rooms[1]!), 429, 'M_LIMIT_EXCEEDED');
      },
      {
        CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_MESSAGES_BURST: '3',
        CAIRN_RATE_LIMIT_JOINS_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_JOINS_BURST: '1',
      },
    ));
}
