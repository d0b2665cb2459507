// Rate limits at the endpoints, on both databases: over a limit the answer is 429 M_LIMIT_EXCEEDED
// with `retry_after_ms` and a Retry-After header, checked against the spec, and the store is left
// as it was. The harness clock is fixed, so a bucket refills only when a test moves the clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type CallResult,
  type ClientHarness,
  snapshotTables,
  TEST_PASSWORD,
  withClient,
} from '../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../conformance-tests/support/room-client.ts';
import { createRegistrationToken } from '../storage/registration-tokens.ts';

const ROOM_TABLES = ['events', 'current_state', 'event_txn_ids', 'rooms'] as const;
const ACCOUNT_TABLES = ['users', 'devices', 'access_tokens', 'profiles'] as const;

function assertLimited(result: CallResult, retryAfterMs: number): void {
  assertError(result, 429, 'M_LIMIT_EXCEEDED');
  assert.equal(result.body.retry_after_ms, retryAfterMs);
}

/** Moves the harness clock (every later request sees the new time). */
function setClock(client: ClientHarness, now: number): void {
  Object.assign(client.ctx, { now: () => now });
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: sending events and creating rooms share the per-user messages limit`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const rooms = roomClient(client);
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        const token = alice.accessToken;
        const roomId = await rooms.createRoom(alice, { preset: 'public_chat' }); // 1 of 3
        const first = await client.call('PUT', `${roomPath(roomId)}/send/m.room.message/txn1`, {
          token,
          body: { msgtype: 'm.text', body: 'one' },
        }); // 2 of 3
        await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'two' }); // 3 of 3

        const before = await snapshotTables(client.db, ROOM_TABLES);
        const send = (txnId: string) =>
          client.call('PUT', `${roomPath(roomId)}/send/m.room.message/${txnId}`, {
            token,
            body: { msgtype: 'm.text', body: 'more' },
          });
        assertLimited(await send('txn2'), 5000);
        assertLimited(
          await client.call('PUT', `${roomPath(roomId)}/state/m.room.topic/`, {
            token,
            body: { topic: 'x' },
          }),
          5000,
        );
        assertLimited(
          await client.call(
            'PUT',
            `${roomPath(roomId)}/redact/${encodeURIComponent(first.body.event_id)}/r1`,
            { token, body: {} },
          ),
          5000,
        );
        assertLimited(
          await client.call('POST', '/_matrix/client/v3/createRoom', { token, body: {} }),
          5000,
        );
        // A retried transaction that went through gets its event, not a refusal.
        assert.deepEqual(await send('txn1'), { status: 200, body: first.body });
        assert.equal(await snapshotTables(client.db, ROOM_TABLES), before);

        // The header carries the wait in seconds.
        const raw = await client.app.inject({
          method: 'PUT',
          url: `${roomPath(roomId)}/send/m.room.message/txn3`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ msgtype: 'm.text', body: 'x' }),
        });
        assert.equal(raw.statusCode, 429);
        assert.equal(raw.headers['retry-after'], '5');

        // Others have their own bucket; time refills alice's.
        await rooms.setMembership(bob, roomId, bob.userId, 'join');
        await rooms.send(bob, roomId, { msgtype: 'm.text', body: 'bob' });
        setClock(client, TEST_NOW + 4000);
        assertLimited(await send('txn4'), 1000);
        setClock(client, TEST_NOW + 5000);
        assert.equal((await send('txn5')).status, 200);
      },
      { CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND: '0.2', CAIRN_RATE_LIMIT_MESSAGES_BURST: '3' },
    ));

  test(`${kind}: joins and invites have per-user limits of their own`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const rooms = roomClient(client);
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        const carol = await client.newAccount('carol');
        const open1 = await rooms.createRoom(alice, { preset: 'public_chat' });
        const open2 = await rooms.createRoom(alice, { preset: 'public_chat' });
        const join = (roomId: string) =>
          client.call('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {
            token: bob.accessToken,
            body: {},
          });
        assert.equal((await join(open1)).status, 200);
        const before = await snapshotTables(client.db, ROOM_TABLES);
        assertLimited(await join(open2), 10_000);
        assertLimited(
          await client.call('POST', `${roomPath(open2)}/join`, {
            token: bob.accessToken,
            body: {},
          }),
          10_000,
        );
        const invite = (userId: string) =>
          client.call('POST', `${roomPath(open1)}/invite`, {
            token: alice.accessToken,
            body: { user_id: userId },
          });
        assert.equal((await invite(carol.userId)).status, 200);
        assert.equal((await invite(carol.userId)).status, 200);
        const afterInvites = await snapshotTables(client.db, ROOM_TABLES);
        assertLimited(await invite('@dave:example.org'), 5000);
        assert.equal(await snapshotTables(client.db, ROOM_TABLES), afterInvites);
        assert.notEqual(afterInvites, before);
      },
      {
        CAIRN_RATE_LIMIT_JOINS_PER_SECOND: '0.1',
        CAIRN_RATE_LIMIT_JOINS_BURST: '1',
        CAIRN_RATE_LIMIT_INVITES_PER_SECOND: '0.2',
        CAIRN_RATE_LIMIT_INVITES_BURST: '2',
      },
    ));

  test(`${kind}: logins per address, failed logins per account`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        await client.newAccount('alice');
        await client.newAccount('bob');
        const login = (user: string, password: string) =>
          client.call('POST', '/_matrix/client/v3/login', {
            body: { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password },
          });
        assertError(await login('alice', 'wrong'), 403, 'M_FORBIDDEN');
        assertError(await login('alice', 'wrong'), 403, 'M_FORBIDDEN');
        const before = await snapshotTables(client.db, ACCOUNT_TABLES);
        // The right password does not help an account under attack until its bucket refills.
        assertLimited(await login('alice', TEST_PASSWORD), 4000);
        assert.equal(await snapshotTables(client.db, ACCOUNT_TABLES), before);
        assert.equal((await login('bob', TEST_PASSWORD)).status, 200);
        // Four attempts from this address so far: the fifth is over its limit.
        assertLimited(await login('bob', TEST_PASSWORD), 2000);
        setClock(client, TEST_NOW + 4000);
        assert.equal((await login('alice', TEST_PASSWORD)).status, 200);
      },
      {
        CAIRN_RATE_LIMIT_LOGIN_PER_SECOND: '0.5',
        CAIRN_RATE_LIMIT_LOGIN_BURST: '4',
        CAIRN_RATE_LIMIT_FAILED_LOGIN_PER_SECOND: '0.25',
        CAIRN_RATE_LIMIT_FAILED_LOGIN_BURST: '2',
      },
    ));

  test(`${kind}: registrations per address`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const register = async (username: string) => {
          const first = await client.call('POST', '/_matrix/client/v3/register', {
            body: { username, password: 'pw' },
          });
          if (first.status !== 401) return first;
          return client.call('POST', '/_matrix/client/v3/register', {
            body: {
              username,
              password: 'pw',
              auth: { type: 'm.login.dummy', session: first.body.session },
            },
          });
        };
        assert.equal((await register('one')).status, 200);
        const before = await snapshotTables(client.db, [...ACCOUNT_TABLES, 'uia_sessions']);
        assertLimited(await register('two'), 5000);
        assert.equal(await snapshotTables(client.db, [...ACCOUNT_TABLES, 'uia_sessions']), before);
        setClock(client, TEST_NOW + 5000);
        assert.equal((await register('two')).status, 200);
      },
      {
        CAIRN_ENABLE_REGISTRATION: 'true',
        CAIRN_RATE_LIMIT_REGISTRATION_PER_SECOND: '0.2',
        CAIRN_RATE_LIMIT_REGISTRATION_BURST: '1',
      },
    ));

  test(`${kind}: registration token guesses spend the address's registration limit`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const validity = (token: string) =>
          client.call(
            'GET',
            `/_matrix/client/v1/register/m.login.registration_token/validity?token=${token}`,
          );
        await createRegistrationToken(client.db, { token: 'letmein', now: TEST_NOW });
        // A valid token spends nothing, however often it is checked.
        for (let i = 0; i < 3; i++) assert.equal((await validity('letmein')).body.valid, true);
        assert.equal((await validity('guess1')).body.valid, false);
        assertLimited(await validity('guess2'), 5000);
        assertLimited(await validity('letmein'), 5000);
        setClock(client, TEST_NOW + 5000);
        assert.equal((await validity('letmein')).body.valid, true);
      },
      {
        CAIRN_ENABLE_REGISTRATION: 'true',
        CAIRN_RATE_LIMIT_REGISTRATION_PER_SECOND: '0.2',
        CAIRN_RATE_LIMIT_REGISTRATION_BURST: '1',
      },
    ));
}
