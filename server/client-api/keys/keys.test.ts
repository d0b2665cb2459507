// End-to-end keys on both databases: keys/upload (device keys checked against their own
// signature, one-time and fallback keys), keys/query (display names, uploaded signatures),
// keys/claim (each one-time key handed out once, also under concurrent claims; then the fallback
// key), /sync's key counts and device_lists, keys/changes, and device deletion taking its keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  CLIENT_V3,
  createTestRoom,
  roomPath,
} from '../../../conformance-tests/support/room-fixtures.ts';
import { encodeBase64 } from '../../core/base64.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { generateSeed, publicKeyOf, signJson } from '../../core/signing.ts';
import { registerEndpoints } from '../../http/endpoint.ts';
import { putSignatures } from '../../storage/cross-signing-keys.ts';
import { keysEndpoints } from './keys-endpoints.ts';

interface TestDevice {
  account: TestAccount;
  seed: Uint8Array;
  publicKey: string;
}

function prepare(client: ClientHarness): void {
  if (!client.app.hasRoute({ method: 'POST', url: `${CLIENT_V3}/keys/upload` })) {
    registerEndpoints(client.app, client.ctx, keysEndpoints);
  }
}

function newDeviceKeys(account: TestAccount): { device: TestDevice; keys: JsonObject } {
  const seed = generateSeed(randomBytes);
  const publicKey = encodeBase64(publicKeyOf(seed));
  const unsigned = {
    user_id: account.userId,
    device_id: account.deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: {
      [`curve25519:${account.deviceId}`]: encodeBase64(randomBytes(32)),
      [`ed25519:${account.deviceId}`]: publicKey,
    },
  };
  const keys = signJson(unsigned, account.userId, `ed25519:${account.deviceId}`, seed);
  return { device: { account, seed, publicKey }, keys };
}

function oneTimeKeys(device: TestDevice, ids: string[]): Record<string, JsonObject> {
  const { userId, deviceId } = device.account;
  return Object.fromEntries(
    ids.map((id) => [
      `signed_curve25519:${id}`,
      signJson({ key: encodeBase64(randomBytes(32)) }, userId, `ed25519:${deviceId}`, device.seed),
    ]),
  );
}

function api(client: ClientHarness) {
  const post = (as: { accessToken: string }, path: string, body: unknown) =>
    client.call('POST', `${CLIENT_V3}${path}`, { token: as.accessToken, body });
  const sync = async (as: { accessToken: string }, since?: string) => {
    const query = since === undefined ? 'timeout=0' : `since=${since}&timeout=0`;
    const result = await client.call('GET', `${CLIENT_V3}/sync?${query}`, {
      token: as.accessToken,
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    return result.body;
  };
  return { post, sync };
}

async function uploadDevice(client: ClientHarness, account: TestAccount): Promise<TestDevice> {
  const { device, keys } = newDeviceKeys(account);
  const uploaded = await api(client).post(account, '/keys/upload', { device_keys: keys });
  assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
  return device;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: keys/upload checks device keys and counts one-time keys`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const { post } = api(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const { device, keys } = newDeviceKeys(alice);

      // Keys of another device, another user, or with a signature that does not verify.
      assertError(
        await post(alice, '/keys/upload', { device_keys: { ...keys, device_id: 'OTHER' } }),
        400,
        'M_INVALID_PARAM',
      );
      assertError(
        await post(alice, '/keys/upload', {
          device_keys: { ...keys, user_id: '@eve:example.org' },
        }),
        400,
        'M_INVALID_PARAM',
      );
      const tampered = { ...keys, algorithms: ['m.olm.v1.curve25519-aes-sha2'] };
      assertError(
        await post(alice, '/keys/upload', { device_keys: tampered }),
        400,
        'M_INVALID_PARAM',
      );
      assertError(
        await post(alice, '/keys/upload', { device_keys: { user_id: 1 } }),
        400,
        'M_BAD_JSON',
      );
      assert.equal(
        (await client.db.selectFrom('e2e_device_keys').selectAll().execute()).length,
        0,
        'nothing stored from refused uploads',
      );

      // Without the device's own signature the keys are taken (as Synapse does; clients check).
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const bobKeys = newDeviceKeys(bob).keys;
      const unsigned = await post(bob, '/keys/upload', {
        device_keys: { ...bobKeys, signatures: {} },
      });
      assert.equal(unsigned.status, 200, JSON.stringify(unsigned.body));

      const first = await post(alice, '/keys/upload', {
        device_keys: keys,
        one_time_keys: oneTimeKeys(device, ['AAAA', 'AAAB']),
      });
      assert.deepEqual(first, {
        status: 200,
        body: { one_time_key_counts: { signed_curve25519: 2 } },
      });

      // A one-time key signed by another key is refused, and so is a new key under a taken id.
      const forged = oneTimeKeys({ ...device, seed: generateSeed(randomBytes) }, ['AAAC']);
      assertError(
        await post(alice, '/keys/upload', { one_time_keys: forged }),
        400,
        'M_INVALID_PARAM',
      );
      assertError(
        await post(alice, '/keys/upload', { one_time_keys: oneTimeKeys(device, ['AAAA']) }),
        400,
        'M_INVALID_PARAM',
      );
      const counts = await post(alice, '/keys/upload', {});
      assert.deepEqual(counts.body, { one_time_key_counts: { signed_curve25519: 2 } });
    }));

  test(`${kind}: keys/claim hands out each one-time key once, then the fallback key`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const { post, sync } = api(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const device = await uploadDevice(client, alice);
      const ids = Array.from({ length: 10 }, (_, i) => `K${String(i).padStart(3, '0')}`);
      // K009 is uploaded first, so it is handed out first, whatever its id.
      await post(alice, '/keys/upload', { one_time_keys: oneTimeKeys(device, ['K009']) });
      await post(alice, '/keys/upload', {
        one_time_keys: oneTimeKeys(device, ids.slice(0, 9)),
        fallback_keys: {
          'signed_curve25519:FB1': signJson(
            { key: encodeBase64(randomBytes(32)), fallback: true },
            alice.userId,
            'ed25519:A1',
            device.seed,
          ),
        },
      });
      const initial = await sync(alice);
      assert.deepEqual(initial.device_one_time_keys_count, { signed_curve25519: 10 });
      assert.deepEqual(initial.device_unused_fallback_key_types, ['signed_curve25519']);

      const claim = () =>
        post(bob, '/keys/claim', {
          one_time_keys: { [alice.userId]: { A1: 'signed_curve25519' } },
        });
      const firstClaim = await claim();
      assert.deepEqual(Object.keys(firstClaim.body.one_time_keys[alice.userId].A1), [
        'signed_curve25519:K009',
      ]);
      const claims = [
        firstClaim,
        ...(await Promise.all(Array.from({ length: 13 }, () => claim()))),
      ];
      const handed = claims.map((claimed) => {
        assert.equal(claimed.status, 200);
        return Object.keys(claimed.body.one_time_keys[alice.userId].A1)[0];
      });
      const oneTime = handed.filter((id) => id !== 'signed_curve25519:FB1');
      assert.equal(new Set(oneTime).size, 10, `each one-time key once: ${handed.join(' ')}`);
      assert.equal(handed.filter((id) => id === 'signed_curve25519:FB1').length, 4);

      const after = await sync(alice, initial.next_batch);
      assert.deepEqual(after.device_one_time_keys_count, { signed_curve25519: 0 });
      assert.deepEqual(after.device_unused_fallback_key_types, []);

      // Unknown devices and users are left out, not errors.
      const unknown = await post(bob, '/keys/claim', {
        one_time_keys: {
          [alice.userId]: { NOPE: 'signed_curve25519' },
          '@x:example.org': { D: 'a' },
        },
      });
      assert.deepEqual(unknown.body, { one_time_keys: {}, failures: {} });
      assertError(await post(bob, '/keys/claim', { one_time_keys: 'x' }), 400, 'M_BAD_JSON');
    }));

  test(`${kind}: keys/query, device_lists in /sync, keys/changes and device deletion`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const { post, sync } = api(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const carol = await client.newAccount('carol', { deviceId: 'C1' });
      const aliceDevice = await uploadDevice(client, alice);
      await client.call('PUT', `${CLIENT_V3}/devices/A1`, {
        token: alice.accessToken,
        body: { display_name: 'Laptop' },
      });
      await putSignatures(client.db, [
        {
          targetUserId: alice.userId,
          targetKeyId: 'A1',
          signerUserId: alice.userId,
          signerKeyId: 'ed25519:SELFSIGNING',
          signature: 'sig',
        },
      ]);

      const queried = await post(bob, '/keys/query', {
        device_keys: { [alice.userId]: [], [carol.userId]: [] },
      });
      assert.equal(queried.status, 200);
      const a1 = queried.body.device_keys[alice.userId].A1;
      assert.equal(a1.keys['ed25519:A1'], aliceDevice.publicKey);
      assert.equal(a1.unsigned.device_display_name, 'Laptop');
      assert.equal(a1.signatures[alice.userId]['ed25519:SELFSIGNING'], 'sig');
      assert.ok(a1.signatures[alice.userId]['ed25519:A1'], 'the device signature is kept');
      assert.deepEqual(queried.body.device_keys[carol.userId], {});

      // Bob shares no room with alice yet: her key changes are not his business.
      const bobStart = await sync(bob);
      assert.deepEqual(bobStart.device_lists, { changed: [], left: [] }, 'none in an initial sync');
      const room = await createTestRoom(client, alice.accessToken, { preset: 'public_chat' });
      const joined = await client.call('POST', `${roomPath(room)}/join`, {
        token: bob.accessToken,
        body: {},
      });
      assert.equal(joined.status, 200);
      const afterJoin = await sync(bob, bobStart.next_batch);
      // A new room mate, and bob himself (his other devices may need to know of the room).
      assert.deepEqual(afterJoin.device_lists.changed, [alice.userId, bob.userId].sort());
      const quiet = await sync(bob, afterJoin.next_batch);
      assert.deepEqual(quiet.device_lists, { changed: [], left: [] });

      // A second device of alice uploads keys: bob is told; carol (no shared room) is not.
      const carolStart = await sync(carol);
      const alice2 = { ...alice, ...(await client.newLogin(alice.userId, 'A2')) };
      await uploadDevice(client, alice2);
      const changed = await sync(bob, quiet.next_batch);
      assert.deepEqual(changed.device_lists.changed, [alice.userId]);
      assert.deepEqual((await sync(carol, carolStart.next_batch)).device_lists.changed, []);
      const keyChanges = await client.call(
        'GET',
        `${CLIENT_V3}/keys/changes?from=${quiet.next_batch}&to=${changed.next_batch}`,
        { token: bob.accessToken },
      );
      assert.deepEqual(keyChanges.body, { changed: [alice.userId], left: [] });

      // Logging A2 out deletes its keys and tells bob.
      const logout = await client.call('POST', `${CLIENT_V3}/logout`, {
        token: alice2.accessToken,
      });
      assert.equal(logout.status, 200);
      const afterLogout = await sync(bob, changed.next_batch);
      assert.deepEqual(afterLogout.device_lists.changed, [alice.userId]);
      const requery = await post(bob, '/keys/query', { device_keys: { [alice.userId]: [] } });
      assert.deepEqual(Object.keys(requery.body.device_keys[alice.userId]), ['A1']);

      // Alice leaves: she is in bob's `left`.
      const left = await client.call('POST', `${roomPath(room)}/leave`, {
        token: alice.accessToken,
        body: {},
      });
      assert.equal(left.status, 200);
      const afterLeave = await sync(bob, afterLogout.next_batch);
      assert.deepEqual(afterLeave.device_lists.left, [alice.userId]);
      assert.deepEqual(afterLeave.device_lists.changed, []);
    }));
}
