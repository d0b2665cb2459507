// Cross-signing on both databases, with real ed25519 keys: POST /keys/device_signing/upload
// (first upload without auth, replacement with user-interactive auth, idempotent retries, refused
// keys) and POST /keys/signatures/upload (stored signatures, per-key failures), each announcing
// the change in the device list stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  snapshotTables,
  TEST_PASSWORD,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import type { JsonObject } from '../../core/pdu.ts';
import {
  crossSigningKey,
  newCrossSigning,
  newTestDevice,
  newTestKey,
  type TestDevice,
} from '../../e2ee/cross-signing-test-keys.ts';
import { registerEndpoints } from '../../http/endpoint.ts';
import {
  loadCrossSigningKeysOf,
  loadSignaturesOn,
  putCrossSigningKey,
} from '../../storage/cross-signing-keys.ts';
import { putDeviceKeys } from '../../storage/e2e-keys.ts';
import { crossSigningEndpoints } from './cross-signing-endpoints.ts';

const DEVICE_SIGNING = '/_matrix/client/v3/keys/device_signing/upload';
const SIGNATURES = '/_matrix/client/v3/keys/signatures/upload';

function prepare(client: ClientHarness) {
  if (!client.app.hasRoute({ method: 'POST', url: DEVICE_SIGNING })) {
    registerEndpoints(client.app, client.ctx, crossSigningEndpoints);
  }
  const uploadKeys = async (as: TestAccount, body: unknown) => {
    const result = await client.call('POST', DEVICE_SIGNING, {
      token: as.accessToken,
      body,
      unchecked: true,
    });
    // A UIA challenge is documented by the spec's UIA section, not by this endpoint's OpenAPI
    // (200, 400 and 403 only): the tests check 401 bodies themselves, the spec checks the rest.
    if (result.status !== 401) {
      client.spec.assertResponse({ method: 'POST', path: DEVICE_SIGNING, ...result });
    }
    return result;
  };
  const uploadSignatures = (as: TestAccount, body: unknown) =>
    client.call('POST', SIGNATURES, { token: as.accessToken, body });
  /** The device list stream's rows for a user: null for cross-signing, else the device id. */
  const changes = async (userId: string) =>
    (
      await client.db
        .selectFrom('device_list_changes')
        .select('device_id')
        .where('user_id', '=', userId)
        .orderBy('stream_id')
        .execute()
    ).map((row) => row.device_id);
  return { uploadKeys, uploadSignatures, changes };
}

const passwordAuth = (user: string, session: string) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user },
  password: TEST_PASSWORD,
  session,
});

async function addDevice(client: ClientHarness, userId: string, deviceId: string) {
  const device = newTestDevice(userId, deviceId);
  await client.newLogin(userId, deviceId);
  await putDeviceKeys(client.db, userId, deviceId, device.keys);
  return device;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: device_signing/upload: first upload free, replacing needs UIA, retries free`, (t) =>
    withClient(t, kind, async (client) => {
      const { uploadKeys, changes } = prepare(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const first = newCrossSigning(alice.userId);

      assert.deepEqual(await uploadKeys(alice, first.body), { status: 200, body: {} });
      assert.deepEqual(await loadCrossSigningKeysOf(client.db, alice.userId), {
        master: first.body.master_key,
        self_signing: first.body.self_signing_key,
        user_signing: first.body.user_signing_key,
      });
      assert.deepEqual(await changes(alice.userId), [null]);

      // The same keys again (a retry after a lost response, key order changed): no auth, no change.
      const reordered = Object.fromEntries(Object.entries(first.body).reverse());
      assert.deepEqual(await uploadKeys(alice, reordered), { status: 200, body: {} });
      assert.deepEqual(await uploadKeys(alice, { self_signing_key: first.body.self_signing_key }), {
        status: 200,
        body: {},
      });
      assert.deepEqual(await changes(alice.userId), [null]);

      // New keys replace the old ones only after user-interactive auth.
      const second = newCrossSigning(alice.userId);
      const challenge = await uploadKeys(alice, second.body);
      assert.equal(challenge.status, 401, JSON.stringify(challenge.body));
      assert.deepEqual(challenge.body.flows, [{ stages: ['m.login.password'] }]);
      assert.equal(typeof challenge.body.session, 'string');
      assert.equal(challenge.body.errcode, undefined);
      const wrong = await uploadKeys(alice, {
        ...second.body,
        auth: { ...passwordAuth('alice', challenge.body.session), password: 'wrong' },
      });
      assertError(wrong, 401, 'M_FORBIDDEN');
      assert.deepEqual(
        (await loadCrossSigningKeysOf(client.db, alice.userId)).master,
        first.body.master_key,
      );
      assert.deepEqual(await changes(alice.userId), [null]);
      const authed = await uploadKeys(alice, {
        ...second.body,
        auth: passwordAuth('alice', challenge.body.session),
      });
      assert.deepEqual(authed, { status: 200, body: {} });
      assert.deepEqual(await loadCrossSigningKeysOf(client.db, alice.userId), {
        master: second.body.master_key,
        self_signing: second.body.self_signing_key,
        user_signing: second.body.user_signing_key,
      });
      assert.deepEqual(await changes(alice.userId), [null, null]);

      // A master key alone is a first upload; adding a self-signing key later replaces "none",
      // which needs auth too (the spec's exception is for identical keys only).
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const bobs = newCrossSigning(bob.userId);
      assert.equal((await uploadKeys(bob, { master_key: bobs.body.master_key })).status, 200);
      const later = await uploadKeys(bob, { self_signing_key: bobs.body.self_signing_key });
      assert.equal(later.status, 401);
      const laterAuthed = await uploadKeys(bob, {
        self_signing_key: bobs.body.self_signing_key,
        auth: passwordAuth('bob', later.body.session),
      });
      assert.equal(laterAuthed.status, 200);
      assert.deepEqual(await loadCrossSigningKeysOf(client.db, bob.userId), {
        master: bobs.body.master_key,
        self_signing: bobs.body.self_signing_key,
      });
      assert.deepEqual(await changes(bob.userId), [null, null]);
    }));

  test(`${kind}: device_signing/upload refuses bad keys before asking for auth`, (t) =>
    withClient(t, kind, async (client) => {
      const { uploadKeys } = prepare(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const keys = newCrossSigning(alice.userId);
      const { master_key, self_signing_key, user_signing_key } = keys.body;
      const tables = ['e2e_cross_signing_keys', 'device_list_changes', 'uia_sessions'] as const;
      const refused = async (body: unknown, status: number, errcode: string) => {
        const before = await snapshotTables(client.db, [...tables]);
        assertError(await uploadKeys(alice, body), status, errcode);
        assert.equal(await snapshotTables(client.db, [...tables]), before, JSON.stringify(body));
      };
      const stranger = newTestKey();

      // No master key stored: a self-signing or user-signing key has nothing to be checked with.
      await refused({ self_signing_key }, 400, 'M_MISSING_PARAM');
      await refused({ user_signing_key }, 400, 'M_MISSING_PARAM');
      await refused(
        { master_key: { ...master_key, user_id: '@bob:example.org' } },
        400,
        'M_INVALID_PARAM',
      );
      await refused(
        { master_key: { ...master_key, usage: ['self_signing'] } },
        400,
        'M_INVALID_PARAM',
      );
      await refused(
        {
          master_key: {
            ...master_key,
            keys: { ...(master_key.keys as JsonObject), [stranger.keyId]: stranger.publicKey },
          },
        },
        400,
        'M_INVALID_PARAM',
      );
      await refused({ master_key: { ...master_key, keys: {} } }, 400, 'M_INVALID_PARAM');
      await refused(
        {
          master_key,
          self_signing_key: crossSigningKey(alice.userId, 'self_signing', stranger, stranger),
        },
        400,
        'M_INVALID_SIGNATURE',
      );
      await refused(
        { master_key, user_signing_key: { ...user_signing_key, usage: ['user_signing', 'x'] } },
        400,
        'M_INVALID_SIGNATURE',
      );
      // Bodies that are not key objects at all.
      await refused({ master_key: 'key' }, 400, 'M_BAD_JSON');
      await refused(
        { master_key: { user_id: alice.userId, usage: ['master'] } },
        400,
        'M_BAD_JSON',
      );
      await refused(
        { master_key: { ...master_key, keys: { [stranger.keyId]: 5 } } },
        400,
        'M_BAD_JSON',
      );
      await refused({ master_key: { ...master_key, usage: 'master' } }, 400, 'M_BAD_JSON');
      // A key whose id is one of the user's device ids: `ed25519:<id>` would name both.
      const clash = newTestKey();
      await client.newLogin(alice.userId, clash.publicKey);
      await refused(
        { master_key: crossSigningKey(alice.userId, 'master', clash) },
        403,
        'M_FORBIDDEN',
      );
      assertError(
        await client.call('POST', DEVICE_SIGNING, { body: keys.body }),
        401,
        'M_MISSING_TOKEN',
      );

      // With keys stored, a bad replacement is a 400, not a UIA challenge.
      assert.equal((await uploadKeys(alice, keys.body)).status, 200);
      const other = newCrossSigning(alice.userId);
      await refused({ self_signing_key: other.body.self_signing_key }, 400, 'M_INVALID_SIGNATURE');
    }));

  test(`${kind}: signatures/upload stores valid signatures and reports the others`, (t) =>
    withClient(t, kind, async (client) => {
      const { uploadKeys, uploadSignatures, changes } = prepare(client);
      const alice = await client.newAccount('alice', { deviceId: 'A0' });
      const bob = await client.newAccount('bob', { deviceId: 'B1' });
      const devices: Record<string, TestDevice> = {};
      for (const id of ['A1', 'A2', 'A3']) devices[id] = await addDevice(client, alice.userId, id);
      const aliceKeys = newCrossSigning(alice.userId);
      const bobKeys = newCrossSigning(bob.userId);
      assert.equal((await uploadKeys(alice, aliceKeys.body)).status, 200);
      assert.equal((await uploadKeys(bob, bobKeys.body)).status, 200);
      // A remote user whose master key is cached here, and one whose keys are unknown.
      const carol = '@carol:remote.test';
      const carolKeys = newCrossSigning(carol);
      await putCrossSigningKey(client.db, carol, 'master', carolKeys.body.master_key);
      const dan = newCrossSigning('@dan:remote.test');
      const before = {
        alice: await changes(alice.userId),
        bob: await changes(bob.userId),
      };

      const { selfSigning, userSigning, master } = aliceKeys;
      const forger = newTestKey();
      const a1 = selfSigning.sign(devices.A1!.keys, alice.userId);
      const masterByA2 = devices.A2!.key.sign(
        aliceKeys.body.master_key,
        alice.userId,
        'ed25519:A2',
      );
      const bobByUsk = userSigning.sign(bobKeys.body.master_key, alice.userId);
      const carolByUsk = userSigning.sign(carolKeys.body.master_key, alice.userId);
      const body = {
        [alice.userId]: {
          A1: a1,
          [master.publicKey]: masterByA2,
          // A forged signature under the self-signing key's id.
          A2: forger.sign(devices.A2!.keys, alice.userId, selfSigning.keyId),
          // A valid signature, but over another object than the stored device keys.
          A3: selfSigning.sign(
            { ...devices.A3!.keys, algorithms: ['m.megolm.v1.aes-sha2'] },
            alice.userId,
          ),
          A9: selfSigning.sign({ ...devices.A1!.keys, device_id: 'A9' }, alice.userId),
        },
        [bob.userId]: { [bobKeys.master.publicKey]: bobByUsk },
        [carol]: { [carolKeys.master.publicKey]: carolByUsk },
        '@dan:remote.test': {
          [dan.master.publicKey]: userSigning.sign(dan.body.master_key, alice.userId),
        },
      };
      const result = await uploadSignatures(alice, body);
      assert.equal(result.status, 200);
      const errcodes = Object.fromEntries(
        Object.entries(result.body.failures as Record<string, Record<string, JsonObject>>).map(
          ([userId, byKey]) => [
            userId,
            Object.fromEntries(
              Object.entries(byKey).map(([keyId, failure]) => [keyId, failure.errcode]),
            ),
          ],
        ),
      );
      assert.deepEqual(errcodes, {
        [alice.userId]: { A2: 'M_INVALID_SIGNATURE', A3: 'M_INVALID_SIGNATURE', A9: 'M_NOT_FOUND' },
        '@dan:remote.test': { [dan.master.publicKey]: 'M_NOT_FOUND' },
      });
      for (const byKey of Object.values(
        result.body.failures as Record<string, Record<string, JsonObject>>,
      )) {
        for (const failure of Object.values(byKey)) assert.equal(typeof failure.error, 'string');
      }

      const signatureOf = (object: JsonObject, keyId: string) =>
        ((object.signatures as JsonObject)[alice.userId] as JsonObject)[keyId] as string;
      const stored = await loadSignaturesOn(client.db, [
        alice.userId,
        bob.userId,
        carol,
        '@dan:remote.test',
      ]);
      const sortKey = (s: { targetKeyId: string }) => s.targetKeyId;
      assert.deepEqual(
        stored.toSorted((a, b) => sortKey(a).localeCompare(sortKey(b))),
        [
          {
            targetUserId: alice.userId,
            targetKeyId: 'A1',
            signerUserId: alice.userId,
            signerKeyId: selfSigning.keyId,
            signature: signatureOf(a1, selfSigning.keyId),
          },
          {
            targetUserId: alice.userId,
            targetKeyId: master.publicKey,
            signerUserId: alice.userId,
            signerKeyId: 'ed25519:A2',
            signature: signatureOf(masterByA2, 'ed25519:A2'),
          },
          {
            targetUserId: bob.userId,
            targetKeyId: bobKeys.master.publicKey,
            signerUserId: alice.userId,
            signerKeyId: userSigning.keyId,
            signature: signatureOf(bobByUsk, userSigning.keyId),
          },
          {
            targetUserId: carol,
            targetKeyId: carolKeys.master.publicKey,
            signerUserId: alice.userId,
            signerKeyId: userSigning.keyId,
            signature: signatureOf(carolByUsk, userSigning.keyId),
          },
        ].toSorted((a, b) => sortKey(a).localeCompare(sortKey(b))),
      );
      // Alice's devices learn of the signed device and of her cross-signing signatures (one row
      // for the master key and the user-signing signatures); bob is not told of alice's
      // signature on his key, which only alice sees.
      assert.deepEqual(await changes(alice.userId), [...before.alice, 'A1', null]);
      assert.deepEqual(await changes(bob.userId), before.bob);

      // The same upload again stores nothing new and announces nothing.
      const again = await uploadSignatures(alice, body);
      assert.equal(again.status, 200);
      assert.deepEqual(Object.keys(again.body.failures), [alice.userId, '@dan:remote.test']);
      assert.equal(
        (await loadSignaturesOn(client.db, [alice.userId, bob.userId, carol])).length,
        4,
      );
      assert.deepEqual(await changes(alice.userId), [...before.alice, 'A1', null]);

      // Bob cannot sign alice's device with his keys.
      const bobSigns = await uploadSignatures(bob, {
        [alice.userId]: { A1: bobKeys.selfSigning.sign(devices.A1!.keys, bob.userId) },
      });
      assert.equal(bobSigns.status, 200);
      assert.equal(bobSigns.body.failures[alice.userId].A1.errcode, 'M_NOT_FOUND');
    }));

  test(`${kind}: signatures/upload refuses malformed bodies`, (t) =>
    withClient(t, kind, async (client) => {
      const { uploadSignatures } = prepare(client);
      const alice = await client.newAccount('alice', { deviceId: 'A1' });
      const before = await snapshotTables(client.db, ['e2e_signatures', 'device_list_changes']);
      for (const body of [
        [],
        { alice: { A1: {} } },
        { [alice.userId]: { A1: 'signed' } },
        { [alice.userId]: [] },
        { [alice.userId]: { A1: { signatures: { [alice.userId]: { 'ed25519:X': 5 } } } } },
      ]) {
        assertError(await uploadSignatures(alice, body), 400, 'M_BAD_JSON');
      }
      assertError(await client.call('POST', SIGNATURES, { body: {} }), 401, 'M_MISSING_TOKEN');
      // Nothing to sign: an empty upload has no failures.
      assert.deepEqual(await uploadSignatures(alice, {}), { status: 200, body: { failures: {} } });
      assert.equal(
        await snapshotTables(client.db, ['e2e_signatures', 'device_list_changes']),
        before,
      );
    }));
}
