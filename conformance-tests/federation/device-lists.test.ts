// Device lists and keys between two Cairn processes (hs1.test, hs2.test): bob@hs2 shares a room
// with alice@hs1 and follows her devices. His server fetches her list with user/devices, keeps it
// current from m.device_list_update EDUs (new device, logout), claims her one-time keys with
// user/keys/claim, learns her cross-signing key from m.signing_key_update, and, when an EDU's
// prev_id names an update it never took (a gap, made here by rewriting hs2's cached stream id in
// its PostgreSQL database), refetches the whole list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { encodeBase64 } from '../../server/core/base64.ts';
import { generateSeed, publicKeyOf, signJson } from '../../server/core/signing.ts';
import type { Database } from '../../server/storage/schema.ts';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { CLIENT_PASSWORD, PROCESS_BACKENDS, registerClient } from '../support/js-sdk-clients.ts';
import {
  clientCall,
  type KeySession,
  passwordLogin,
  syncUntilDeviceListChanged,
  uploadSignedKeys,
} from '../support/key-sessions.ts';

const WAIT_MS = 30_000;

async function register(baseUrl: string, name: string): Promise<KeySession> {
  const client = await registerClient(baseUrl, name);
  return {
    baseUrl,
    userId: client.getUserId()!,
    deviceId: client.getDeviceId()!,
    token: client.getAccessToken()!,
  };
}

async function devicesOf(asker: KeySession, userId: string): Promise<string[]> {
  const body = await clientCall(asker, 'POST', '/keys/query', { device_keys: { [userId]: [] } });
  assert.deepEqual(body.failures, {});
  return Object.keys(body.device_keys[userId] ?? {}).sort();
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
}

for (const backend of PROCESS_BACKENDS) {
  describe(`device lists over federation (${backend.name})`, {
    skip: backend.skip,
    timeout: 240_000,
  }, () => {
    test('a remote user follows devices, keys and cross-signing keys of another', async (t) => {
      // Each server's database, by server: the calls are made in server order.
      const urls: (string | undefined)[] = [];
      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], async () => {
        const index = urls.push(undefined) - 1;
        urls[index] = await backend.databaseUrl();
        return urls[index];
      });
      t.after(() => federation.stopAll());
      const [hs1, hs2] = federation.servers;
      const alice = await register(hs1!.process.clientUrl, 'alice');
      const bob = await register(hs2!.process.clientUrl, 'bob');
      const { seed: aliceSeed } = await uploadSignedKeys(alice, ['A', 'B']);

      const { room_id: roomId } = await clientCall(alice, 'POST', '/createRoom', {
        preset: 'private_chat',
        invite: [bob.userId],
      });
      let since = (await clientCall(bob, 'GET', '/sync?timeout=0')).next_batch;
      await eventually(async () => {
        const body = await clientCall(bob, 'GET', '/sync?timeout=0');
        return body.rooms?.invite?.[roomId] !== undefined;
      }, 'bob is invited');
      await clientCall(bob, 'POST', `/join/${encodeURIComponent(roomId)}`, {});
      since = await syncUntilDeviceListChanged(bob, since, alice.userId, WAIT_MS);
      assert.deepEqual(await devicesOf(bob, alice.userId), [alice.deviceId]);

      // Alice's second device: bob's server hears of it from an EDU.
      const alice2 = await passwordLogin(alice.baseUrl, alice.userId, CLIENT_PASSWORD, 'ALICE2');
      await uploadSignedKeys(alice2, ['C']);
      since = await syncUntilDeviceListChanged(bob, since, alice.userId, WAIT_MS);
      assert.deepEqual(await devicesOf(bob, alice.userId), [alice.deviceId, 'ALICE2'].sort());

      // One-time keys over user/keys/claim: each once.
      const claim = async () => {
        const body = await clientCall(bob, 'POST', '/keys/claim', {
          one_time_keys: { [alice.userId]: { [alice.deviceId]: 'signed_curve25519' } },
        });
        assert.deepEqual(body.failures, {});
        return Object.keys(body.one_time_keys[alice.userId]?.[alice.deviceId] ?? {});
      };
      const claimed = [...(await claim()), ...(await claim()), ...(await claim())];
      assert.deepEqual(claimed.sort(), ['signed_curve25519:A', 'signed_curve25519:B']);

      // Cross-signing: alice's master key reaches bob's keys/query.
      const masterSeed = generateSeed(randomBytes);
      const masterPublic = encodeBase64(publicKeyOf(masterSeed));
      const selfSeed = generateSeed(randomBytes);
      const selfPublic = encodeBase64(publicKeyOf(selfSeed));
      const master = signJson(
        {
          user_id: alice.userId,
          usage: ['master'],
          keys: { [`ed25519:${masterPublic}`]: masterPublic },
        },
        alice.userId,
        `ed25519:${alice.deviceId}`,
        aliceSeed,
      );
      const selfSigning = signJson(
        {
          user_id: alice.userId,
          usage: ['self_signing'],
          keys: { [`ed25519:${selfPublic}`]: selfPublic },
        },
        alice.userId,
        `ed25519:${masterPublic}`,
        masterSeed,
      );
      await clientCall(alice, 'POST', '/keys/device_signing/upload', {
        master_key: master,
        self_signing_key: selfSigning,
      });
      since = await syncUntilDeviceListChanged(bob, since, alice.userId, WAIT_MS);
      const withCrossSigning = await clientCall(bob, 'POST', '/keys/query', {
        device_keys: { [alice.userId]: [] },
      });
      assert.deepEqual(withCrossSigning.master_keys[alice.userId]?.keys, master.keys);
      assert.deepEqual(withCrossSigning.self_signing_keys[alice.userId]?.keys, selfSigning.keys);
      assert.equal(withCrossSigning.user_signing_keys[alice.userId], undefined);

      // Logging ALICE2 out takes it off bob's view.
      await clientCall(alice2, 'POST', '/logout', {});
      since = await syncUntilDeviceListChanged(bob, since, alice.userId, WAIT_MS);
      assert.deepEqual(await devicesOf(bob, alice.userId), [alice.deviceId]);

      if (urls[1] !== undefined) {
        // A gap: hs2 believes it last took an update hs1 never sent. The next EDU's prev_id does
        // not name it, so hs2 refetches alice's whole list.
        const hs2Db = new Kysely<Database>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: urls[1] }) }),
        });
        t.after(() => hs2Db.destroy());
        const cached = await hs2Db
          .selectFrom('remote_device_lists')
          .selectAll()
          .where('user_id', '=', alice.userId)
          .executeTakeFirstOrThrow();
        assert.equal(cached.stale, false);
        await hs2Db
          .updateTable('remote_device_lists')
          .set({ stream_id: '987654321' })
          .where('user_id', '=', alice.userId)
          .execute();
        const alice3 = await passwordLogin(alice.baseUrl, alice.userId, CLIENT_PASSWORD, 'ALICE3');
        await uploadSignedKeys(alice3, []);
        await eventually(async () => {
          const row = await hs2Db
            .selectFrom('remote_device_lists')
            .selectAll()
            .where('user_id', '=', alice.userId)
            .executeTakeFirst();
          return row !== undefined && row.stream_id !== '987654321' && !row.stale;
        }, "hs2 refetched alice's device list");
        await syncUntilDeviceListChanged(bob, since, alice.userId, WAIT_MS);
        assert.deepEqual(await devicesOf(bob, alice.userId), [alice.deviceId, 'ALICE3'].sort());
      }
    });
  });
}
