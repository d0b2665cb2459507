// Per-address rate limits on both databases: sends (and room creation) and media uploads of all
// users behind one address share a bucket, answered 429 M_LIMIT_EXCEEDED with retry_after_ms;
// another address has its own. X-Forwarded-For names the client only when the peer is listed in
// trusted_proxies. The harness clock is fixed: buckets refill only when a test moves it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type CallResult,
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../conformance-tests/support/databases.ts';
import { callFrom } from '../../conformance-tests/support/request-from.ts';
import { roomPath } from '../../conformance-tests/support/room-client.ts';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { TokenBucketLimiter } from './rate-limiter.ts';
import { takeForUser } from './rate-limits.ts';

function assertLimited(result: CallResult, retryAfterMs: number): void {
  assertError(result, 429, 'M_LIMIT_EXCEEDED');
  assert.equal(result.body.retry_after_ms, retryAfterMs);
}

function assertOk(result: CallResult): void {
  assert.equal(result.status, 200, JSON.stringify(result.body));
}

const MESSAGES_PER_IP = {
  CAIRN_RATE_LIMIT_MESSAGES_PER_IP_PER_SECOND: '0.5',
  CAIRN_RATE_LIMIT_MESSAGES_PER_IP_BURST: '4',
};
const MEDIA_PER_IP = {
  CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_IP_PER_SECOND: '0.25',
  CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_IP_BURST: '3',
};

function sender(client: ClientHarness, roomId: string) {
  let txn = 0;
  return (as: TestAccount, ip: string, headers: Record<string, string> = {}) =>
    callFrom(client, 'PUT', `${roomPath(roomId)}/send/m.room.message/ip${++txn}`, {
      ip,
      token: as.accessToken,
      body: { msgtype: 'm.text', body: 'hi' },
      headers,
    });
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: sends of different users from one address share its messages limit`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        const office = '198.51.100.7';
        const create = await callFrom(client, 'POST', '/_matrix/client/v3/createRoom', {
          ip: office,
          token: alice.accessToken,
          body: { preset: 'public_chat' },
        }); // 1 of 4
        assertOk(create);
        const roomId = create.body.room_id as string;
        assertOk(
          await callFrom(client, 'POST', `${roomPath(roomId)}/join`, {
            ip: office,
            token: bob.accessToken,
            body: {},
          }),
        ); // joins have their own limit
        const send = sender(client, roomId);
        assertOk(await send(alice, office)); // 2
        assertOk(await send(bob, office)); // 3
        const txn = `${roomPath(roomId)}/send/m.room.message/kept`;
        const first = await callFrom(client, 'PUT', txn, {
          ip: office,
          token: bob.accessToken,
          body: { msgtype: 'm.text', body: 'kept' },
        }); // 4
        assertOk(first);
        // Bob has sent two, far under any per-user limit: it is the address that is spent.
        assertLimited(await send(bob, office), 2000);
        assertLimited(await send(alice, office), 2000);
        assertLimited(
          await callFrom(client, 'POST', '/_matrix/client/v3/createRoom', {
            ip: office,
            token: alice.accessToken,
            body: {},
          }),
          2000,
        );
        // A retried transaction that went through still gets its event.
        const retried = await callFrom(client, 'PUT', txn, {
          ip: office,
          token: bob.accessToken,
          body: { msgtype: 'm.text', body: 'kept' },
        });
        assert.deepEqual(retried, first);
        // Another address is another bucket; time refills the office's.
        assertOk(await send(bob, '203.0.113.9'));
        Object.assign(client.ctx, { now: () => TEST_NOW + 2000 });
        assertOk(await send(alice, office));
        assertLimited(await send(bob, office), 2000);
      },
      MESSAGES_PER_IP,
    ));

  test(`${kind}: media uploads and create of different users from one address share a limit`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        const office = '2001:db8::7';
        const upload = (as: TestAccount, ip: string) =>
          callFrom(client, 'POST', '/_matrix/media/v3/upload', {
            ip,
            token: as.accessToken,
            bytes: Buffer.from(`bytes of ${as.localpart}`),
          });
        assertOk(await upload(alice, office)); // 1 of 3
        const created = await callFrom(client, 'POST', '/_matrix/media/v1/create', {
          ip: office,
          token: bob.accessToken,
        }); // 2
        assertOk(created);
        assertOk(await upload(bob, office)); // 3
        assertLimited(await upload(alice, office), 4000);
        assertLimited(
          await callFrom(client, 'POST', '/_matrix/media/v1/create', {
            ip: office,
            token: alice.accessToken,
          }),
          4000,
        );
        const mediaId = (created.body.content_uri as string).split('/').pop();
        assertLimited(
          await callFrom(client, 'PUT', `/_matrix/media/v3/upload/example.org/${mediaId}`, {
            ip: office,
            token: bob.accessToken,
            bytes: Buffer.from('later'),
          }),
          4000,
        );
        assertOk(await upload(alice, '192.0.2.1'));
        const stored = await client.db.selectFrom('media').select('media_id').execute();
        assert.equal(stored.length, 4); // three uploads and the reserved URI
      },
      MEDIA_PER_IP,
    ));

  test(`${kind}: X-Forwarded-For counts only from a trusted proxy`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const create = await client.call('POST', '/_matrix/client/v3/createRoom', {
          token: alice.accessToken,
          body: {},
        }); // from 127.0.0.1, the proxy itself: 1 of 4 of its own bucket
        const send = sender(client, create.body.room_id);
        const via = (clientIp: string) => ({ 'x-forwarded-for': clientIp });
        const proxy = '10.1.2.3';
        // Through the proxy, each client behind it has its own bucket.
        for (let i = 0; i < 4; i++) assertOk(await send(alice, proxy, via('198.51.100.1')));
        assertLimited(await send(alice, proxy, via('198.51.100.1')), 2000);
        assertOk(await send(alice, proxy, via('198.51.100.2')));
        // A header from a peer that is not a listed proxy is not believed: that peer is the client.
        const stranger = '192.0.2.50';
        for (let i = 0; i < 4; i++) assertOk(await send(alice, stranger, via(`192.0.2.${i}`)));
        assertLimited(await send(alice, stranger, via('192.0.2.99')), 2000);
        // Nor does a stranger's header borrow a trusted address's standing: 198.51.100.2 has
        // tokens left, but the request is counted against the stranger.
        assertLimited(await send(alice, stranger, via('198.51.100.2')), 2000);
      },
      { ...MESSAGES_PER_IP, CAIRN_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' },
    ));

  test(`${kind}: without trusted_proxies, X-Forwarded-For is ignored`, (t) =>
    withClient(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const create = await callFrom(client, 'POST', '/_matrix/client/v3/createRoom', {
          ip: '10.1.2.3',
          token: alice.accessToken,
          body: {},
          headers: { 'x-forwarded-for': '198.51.100.1' },
        }); // 1 of 4, counted against 10.1.2.3
        const send = sender(client, create.body.room_id);
        for (let i = 0; i < 3; i++) {
          assertOk(await send(alice, '10.1.2.3', { 'x-forwarded-for': `198.51.100.${i + 2}` }));
        }
        assertLimited(await send(alice, '10.1.2.3', { 'x-forwarded-for': '198.51.100.9' }), 2000);
        assert.equal(client.ctx.config.trustedProxies.length, 0);
      },
      MESSAGES_PER_IP,
    ));
}

test('trusted_proxies takes addresses and CIDR ranges, and refuses anything else', () => {
  const config = loadConfig({ env: { CAIRN_TRUSTED_PROXIES: '10.0.0.0/8, ::1, 192.0.2.4' } });
  assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', '::1', '192.0.2.4']);
  assert.deepEqual(loadConfig({ env: {} }).trustedProxies, []);
  for (const bad of ['10.0.0.0/33', 'fe80::/129', '300.1.1.1', '10.0.0.1/8/8', '1.2.3']) {
    assert.throws(
      () => loadConfig({ env: { CAIRN_TRUSTED_PROXIES: bad } }),
      (err: unknown) => err instanceof ConfigError && err.message.includes('trusted_proxies'),
      bad,
    );
  }
});

test('a refusal by one limit spends nothing of the other; exempt users spend nothing', () => {
  const limiters = {
    perUser: new TokenBucketLimiter({ perSecond: 1, burst: 2 }),
    perIp: new TokenBucketLimiter({ perSecond: 0.5, burst: 1 }),
  };
  const alice = { userId: '@alice:example.org', rateLimited: true };
  assert.deepEqual(takeForUser(limiters, alice, '192.0.2.1', 0), { allowed: true });
  // The address is spent: refused with its wait, and alice keeps her second token.
  assert.deepEqual(takeForUser(limiters, alice, '192.0.2.1', 0), {
    allowed: false,
    retryAfterMs: 2000,
  });
  assert.deepEqual(takeForUser(limiters, alice, '192.0.2.2', 0), { allowed: true });
  // Now both are spent: the longer wait is the one given.
  assert.deepEqual(takeForUser(limiters, alice, '192.0.2.3', 0), {
    allowed: false,
    retryAfterMs: 1000,
  });
  assert.deepEqual(takeForUser(limiters, alice, '192.0.2.1', 0), {
    allowed: false,
    retryAfterMs: 2000,
  });
  const exempt = { userId: '@_bridge_bot:example.org', rateLimited: false };
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(takeForUser(limiters, exempt, '192.0.2.9', 0), { allowed: true });
  }
  assert.equal(limiters.perIp.check('192.0.2.9', 0).allowed, true);
  assert.equal(limiters.perUser.check(exempt.userId, 0).allowed, true);
});
