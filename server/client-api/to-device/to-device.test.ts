// Send-to-device messaging on both databases: PUT /sendToDevice into the recipients' inboxes and
// out through /sync's `to_device` (acknowledged by the next since token), txnId idempotency,
// remote recipients as one m.direct_to_device EDU per server, and refused bodies.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_NOW } from '../../../conformance-tests/support/databases.ts';
import type { OutboundHooks } from '../../../federation/federation-services.ts';
import { registerEndpoints } from '../../http/endpoint.ts';
import type { OutboundEdu } from '../../storage/federation-queue.ts';
import { storeToDeviceMessages } from '../../storage/to-device.ts';
import { toDeviceEndpoints } from './to-device-endpoints.ts';

const SEND_PATH = '/_matrix/client/v3/sendToDevice/:eventType/:txnId';

interface Queued {
  destination: string;
  edu: OutboundEdu;
  persist: boolean;
}

/** The endpoints (unless server/app.ts has them already) and a record of queued EDUs. */
function prepare(client: ClientHarness): Queued[] {
  if (!client.app.hasRoute({ method: 'PUT', url: SEND_PATH })) {
    registerEndpoints(client.app, client.ctx, toDeviceEndpoints);
  }
  const queued: Queued[] = [];
  const outbound: OutboundHooks = {
    ...client.ctx.federation.outbound,
    queueEdu: async (destination, edu, options) => {
      queued.push({ destination, edu, persist: options.persist });
    },
  };
  (client.ctx.federation as { outbound: OutboundHooks }).outbound = outbound;
  return queued;
}

function helpers(client: ClientHarness) {
  const send = (as: TestAccount, txnId: string, messages: unknown, type = 'm.test') =>
    client.call('PUT', `/_matrix/client/v3/sendToDevice/${type}/${txnId}`, {
      token: as.accessToken,
      body: { messages },
    });
  const sync = async (token: string, since?: string, timeout = 0) => {
    const query = since === undefined ? `timeout=${timeout}` : `since=${since}&timeout=${timeout}`;
    const result = await client.call('GET', `/_matrix/client/v3/sync?${query}`, { token });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    return {
      next: result.body.next_batch as string,
      events: result.body.to_device.events as { type: string; sender: string; content: object }[],
    };
  };
  return { send, sync };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: to-device messages reach one device or all, once, until acknowledged`, (t) =>
    withClient(t, kind, async (client) => {
      const queued = prepare(client);
      const { send, sync } = helpers(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const bob2 = await client.newLogin(bob.userId, 'B2');

      const first = await sync(bob.accessToken);
      assert.deepEqual(first.events, []);

      // A waiting /sync wakes when a message for its device arrives.
      const started = performance.now();
      const waiting = sync(bob.accessToken, first.next, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sent = await send(alice, 'txn1', { [bob.userId]: { B1: { n: 1 } } });
      assert.deepEqual(sent, { status: 200, body: {} });
      const woken = await waiting;
      assert.ok(performance.now() - started < 5_000, 'the long-poll was woken');
      assert.deepEqual(woken.events, [{ type: 'm.test', sender: alice.userId, content: { n: 1 } }]);

      // The same txnId again is accepted and delivers nothing more.
      assert.deepEqual(await send(alice, 'txn1', { [bob.userId]: { B1: { n: 99 } } }), {
        status: 200,
        body: {},
      });
      // Not acknowledged yet: the same since token gets the same message again, once.
      assert.deepEqual((await sync(bob.accessToken, first.next)).events, woken.events);
      // Syncing from the token that carried it acknowledges it: it is gone.
      const after = await sync(bob.accessToken, woken.next);
      assert.deepEqual(after.events, []);
      assert.equal(
        (await client.db.selectFrom('device_inbox').selectAll().execute()).length,
        0,
        'acknowledged messages are deleted',
      );
      // B2 got nothing of the message to B1.
      const b2First = await sync(bob2.accessToken);
      assert.deepEqual(b2First.events, []);

      // `*`: every device of the user; a device named beside it gets its own content instead.
      assert.equal((await send(alice, 'txn2', { [bob.userId]: { '*': { n: 2 } } })).status, 200);
      assert.equal(
        (await send(alice, 'txn3', { [bob.userId]: { '*': { n: 3 }, B2: { n: 4 } } })).status,
        200,
      );
      const b1 = await sync(bob.accessToken, after.next);
      assert.deepEqual(
        b1.events.map((event) => event.content),
        [{ n: 2 }, { n: 3 }],
      );
      const b2 = await sync(bob2.accessToken, b2First.next);
      assert.deepEqual(
        b2.events.map((event) => event.content),
        [{ n: 2 }, { n: 4 }],
      );
      // The txnId is per sending device: alice's other device may reuse one.
      const alice2 = await client.newLogin(alice.userId, 'A2');
      const reuse = await client.call('PUT', '/_matrix/client/v3/sendToDevice/m.test/txn1', {
        token: alice2.accessToken,
        body: { messages: { [bob.userId]: { B1: { n: 5 } } } },
      });
      assert.equal(reuse.status, 200);
      assert.deepEqual(
        (await sync(bob.accessToken, b1.next)).events.map((event) => event.content),
        [{ n: 5 }],
      );
      // Unknown local users and devices are skipped; nothing went over federation.
      assert.equal(
        (await send(alice, 'txn4', { '@nobody:example.org': { X: {} }, [bob.userId]: { X: {} } }))
          .status,
        200,
      );
      assert.deepEqual(queued, []);
    }));

  test(`${kind}: remote recipients: one m.direct_to_device EDU per server`, (t) =>
    withClient(t, kind, async (client) => {
      const queued = prepare(client);
      const { send } = helpers(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const messages = {
        '@carol:one.test': { C1: { k: 1 }, '*': { k: 2 } },
        '@dan:one.test': { D1: { k: 3 } },
        '@erin:two.test:8448': { E1: { k: 4 } },
      };
      assert.equal((await send(alice, 'txn1', messages, 'm.room_key_request')).status, 200);
      assert.equal((await send(alice, 'txn1', messages, 'm.room_key_request')).status, 200);
      assert.deepEqual(
        queued.map((q) => q.destination),
        ['one.test', 'two.test:8448'],
      );
      for (const { edu, persist } of queued) {
        assert.equal(persist, true);
        assert.equal(edu.edu_type, 'm.direct_to_device');
        assert.equal(edu.content.sender, alice.userId);
        assert.equal(edu.content.type, 'm.room_key_request');
        assert.match(String(edu.content.message_id), /^[\w-]{1,32}$/);
      }
      assert.deepEqual(queued[0]!.edu.content.messages, {
        '@carol:one.test': messages['@carol:one.test'],
        '@dan:one.test': messages['@dan:one.test'],
      });
      assert.deepEqual(queued[1]!.edu.content.messages, {
        '@erin:two.test:8448': messages['@erin:two.test:8448'],
      });
      assert.notEqual(queued[0]!.edu.content.message_id, queued[1]!.edu.content.message_id);
    }));

  test(`${kind}: /sync gives at most 100 to-device messages at a time`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const { sync } = helpers(client);
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const deliveries = Array.from({ length: 105 }, (_, n) => ({
        userId: bob.userId,
        deviceId: 'B1',
        message: { type: 'm.test', sender: '@x:example.org', content: { n } },
      }));
      const claim = { kind: 'remote', origin: 'example.net', messageId: 'm' } as const;
      await storeToDeviceMessages(client.db, claim, deliveries, TEST_NOW);
      const first = await sync(bob.accessToken);
      assert.equal(first.events.length, 100);
      const second = await sync(bob.accessToken, first.next);
      assert.deepEqual(
        second.events.map((event) => event.content),
        [100, 101, 102, 103, 104].map((n) => ({ n })),
      );
      assert.deepEqual((await sync(bob.accessToken, second.next)).events, []);
    }));

  test(`${kind}: bad sendToDevice bodies are 400 and store nothing`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const put = (options: { body?: unknown; rawBody?: string }) =>
        client.call('PUT', '/_matrix/client/v3/sendToDevice/m.test/t', {
          token: alice.accessToken,
          ...options,
        });
      assertError(await put({ rawBody: '{not json' }), 400, 'M_NOT_JSON');
      assertError(await put({ body: {} }), 400, 'M_BAD_JSON');
      assertError(await put({ body: { messages: [] } }), 400, 'M_BAD_JSON');
      assertError(await put({ body: { messages: { alice: { A1: {} } } } }), 400, 'M_BAD_JSON');
      assertError(
        await put({ body: { messages: { [alice.userId]: { A1: 'hello' } } } }),
        400,
        'M_BAD_JSON',
      );
      assertError(await put({ body: { messages: { [alice.userId]: [] } } }), 400, 'M_BAD_JSON');
      const unauthenticated = await client.call('PUT', '/_matrix/client/v3/sendToDevice/m.test/t', {
        body: { messages: {} },
      });
      assertError(unauthenticated, 401, 'M_MISSING_TOKEN');
      assert.equal((await client.db.selectFrom('device_inbox').selectAll().execute()).length, 0);
      assert.equal(
        (await client.db.selectFrom('to_device_txn_ids').selectAll().execute()).length,
        0,
      );
      // The txnId was not taken by the refused requests.
      assert.equal((await put({ body: { messages: { [alice.userId]: { A1: {} } } } })).status, 200);
      assert.equal((await client.db.selectFrom('device_inbox').selectAll().execute()).length, 1);
    }));
}
