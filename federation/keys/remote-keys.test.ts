// The remote key store on both databases, against in-process Cairn peers over loopback: fetched
// once and cached (in memory and in server_keys), concurrent lookups sharing a fetch, old keys
// for events only, and the trusted notary fallback with both signatures checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { createPeerNetwork } from '../../conformance-tests/support/federation-peers.ts';
import { encodeBase64 } from '../../server/core/base64.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { publicKeyOf, signJson } from '../../server/core/signing.ts';
import { listServerKeys } from '../../server/storage/server-keys.ts';
import { createServerKeyStore, type FetchJson, serverKeyStoreFor } from './remote-keys.ts';

const NOW_LOOKUP = { validAt: TEST_NOW };

for (const kind of DATABASE_KINDS) {
  test(`${kind}: remote keys are fetched once, stored, and shared by concurrent lookups`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const network = createPeerNetwork();
      t.after(() => network.close());
      const origin = await network.start({ serverName: 'origin.test', db, seedByte: 9 });
      const us = await network.start({ serverName: 'us.test', db, seedByte: 7 });
      const publicKey = origin.ctx.signingKey.publicKeyBase64;

      const found = await Promise.all(
        [1, 2, 3, 4, 5].map(() =>
          us.serverKeys.getVerifyKey('origin.test', 'ed25519:peer', NOW_LOOKUP),
        ),
      );
      assert.deepEqual(found, Array(5).fill(publicKey));
      assert.deepEqual(network.requests, ['origin.test /_matrix/key/v2/server']);

      const stored = await listServerKeys(db, 'origin.test');
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.publicKey, publicKey);
      assert.equal(stored[0]?.fromServer, 'origin.test');
      assert.equal(stored[0]?.validUntilTs, TEST_NOW + 168 * 3600_000);
      assert.equal(stored[0]?.expiredTs, null);

      // Another process (a restart) finds it in the table without asking.
      const fresh = serverKeyStoreFor(us.ctx, network.fetchJson);
      assert.equal(await fresh.getVerifyKey('origin.test', 'ed25519:peer', NOW_LOOKUP), publicKey);
      // Our own key is never fetched; a key id we do not have is not invented.
      assert.equal(
        await fresh.getVerifyKey('us.test', 'ed25519:peer', NOW_LOOKUP),
        us.ctx.signingKey.publicKeyBase64,
      );
      assert.equal(await fresh.getVerifyKey('us.test', '__proto__', NOW_LOOKUP), undefined);
      assert.equal(await fresh.getVerifyKey('not a name', 'ed25519:peer', NOW_LOOKUP), undefined);
      assert.equal(network.requests.length, 1);

      // Room versions 1 to 4 ignore valid_until_ts: a key long expired still counts.
      assert.equal(
        await fresh.getVerifyKey('origin.test', 'ed25519:peer', { validAt: undefined }),
        publicKey,
      );
      assert.equal(network.requests.length, 1);
    }));

  test(`${kind}: old_verify_keys serve events signed before they expired, never requests`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const seed = new Uint8Array(32).fill(4);
      const oldKey = encodeBase64(publicKeyOf(new Uint8Array(32).fill(5)));
      // A server that rotated its key (Cairn itself never publishes old keys yet).
      const response = signJson(
        {
          server_name: 'rotated.test',
          verify_keys: { 'ed25519:new': { key: encodeBase64(publicKeyOf(seed)) } },
          old_verify_keys: { 'ed25519:old': { key: oldKey, expired_ts: TEST_NOW - 1000 } },
          valid_until_ts: TEST_NOW + 3600_000,
        },
        'rotated.test',
        'ed25519:new',
        seed,
      );
      let fetches = 0;
      const fetchJson: FetchJson = async () => {
        fetches++;
        return response;
      };
      const store = createServerKeyStore({
        db,
        serverName: 'us.test',
        signingKey: { keyId: 'ed25519:x', publicKeyBase64: 'x', privateKey: null as never },
        fetchJson,
        trustedKeyServers: [],
        now: () => TEST_NOW,
      });
      const old = (validAt: number | undefined, allowOldKeys: boolean) =>
        store.getVerifyKey('rotated.test', 'ed25519:old', { validAt, allowOldKeys });
      assert.equal(await old(TEST_NOW - 2000, true), oldKey);
      assert.equal(await old(undefined, true), oldKey);
      assert.equal(await old(TEST_NOW - 1000, true), undefined);
      assert.equal(await old(TEST_NOW - 2000, false), undefined);
      assert.equal(fetches, 1);
      const rows = await listServerKeys(db, 'rotated.test');
      assert.deepEqual(
        rows.map((row) => [row.keyId, row.expiredTs, row.validUntilTs]),
        [
          ['ed25519:new', null, TEST_NOW + 3600_000],
          ['ed25519:old', TEST_NOW - 1000, TEST_NOW - 1000],
        ],
      );
      // A response that fails its checks is not stored and gives no key.
      const bad = createServerKeyStore({
        db,
        serverName: 'us.test',
        signingKey: { keyId: 'ed25519:x', publicKeyBase64: 'x', privateKey: null as never },
        fetchJson: async () => ({ ...response, valid_until_ts: TEST_NOW + 7200_000 }),
        trustedKeyServers: [],
        now: () => TEST_NOW,
      });
      assert.equal(await bad.getVerifyKey('tampered.test', 'ed25519:new', NOW_LOOKUP), undefined);
      assert.deepEqual(await listServerKeys(db, 'tampered.test'), []);
    }));

  test(`${kind}: an unreachable server's keys come from a trusted notary, both signatures checked`, (t) =>
    withTestDatabase(t, kind, (db) =>
      withTestDatabase(t, kind, async (notaryDb) => {
        const network = createPeerNetwork();
        t.after(() => network.close());
        const origin = await network.start({ serverName: 'origin.test', db, seedByte: 9 });
        await network.start({ serverName: 'notary.test', db: notaryDb, seedByte: 8 });
        const us = await network.start({
          serverName: 'us.test',
          db,
          seedByte: 7,
          env: { CAIRN_FEDERATION_TRUSTED_KEY_SERVERS: 'notary.test' },
        });
        network.unreachableFrom('us.test', 'origin.test');

        const key = await us.serverKeys.getVerifyKey('origin.test', 'ed25519:peer', NOW_LOOKUP);
        assert.equal(key, origin.ctx.signingKey.publicKeyBase64);
        assert.deepEqual(network.requests, [
          'origin.test /_matrix/key/v2/server',
          'notary.test /_matrix/key/v2/query',
          // The notary fetches the origin for us, and we fetch the notary's own key.
          'origin.test /_matrix/key/v2/server',
          'notary.test /_matrix/key/v2/server',
        ]);
        const [stored] = await listServerKeys(db, 'origin.test');
        assert.equal(stored?.fromServer, 'notary.test');
        // The stored response carries the origin's signature only, ready to be served again.
        const storedResponse = JSON.parse(stored!.responseJson) as JsonObject;
        assert.deepEqual(Object.keys(storedResponse.signatures as JsonObject), ['origin.test']);
        assert.equal((await listServerKeys(notaryDb, 'origin.test')).length, 1);
      }),
    ));

  test(`${kind}: notary answers with a bad notary signature or another server are refused`, (t) =>
    withTestDatabase(t, kind, (db) =>
      withTestDatabase(t, kind, async (notaryDb) => {
        const network = createPeerNetwork();
        t.after(() => network.close());
        await network.start({ serverName: 'origin.test', db, seedByte: 9 });
        const notary = await network.start({
          serverName: 'notary.test',
          db: notaryDb,
          seedByte: 8,
        });
        network.unreachableFrom('us.test', 'origin.test');
        const storeWith = (change: (answer: JsonObject) => JsonObject) =>
          createServerKeyStore({
            db,
            serverName: 'us.test',
            signingKey: { keyId: 'ed25519:x', publicKeyBase64: 'x', privateKey: null as never },
            trustedKeyServers: ['notary.test'],
            now: () => TEST_NOW,
            fetchJson: async (serverName, path, body) => {
              if (serverName === 'origin.test') throw new Error('unreachable');
              const answer = (await network.fetchJson(serverName, path, body)) as JsonObject;
              return path === '/_matrix/key/v2/query' ? change(answer) : answer;
            },
          });
        const entry = (answer: JsonObject) => (answer.server_keys as JsonObject[])[0] as JsonObject;
        const cases: [string, (answer: JsonObject) => JsonObject][] = [
          [
            'the notary signature replaced by another',
            (answer) => {
              const resigned = signJson(
                { ...entry(answer), signatures: {} },
                'notary.test',
                notary.ctx.signingKey.keyId,
                new Uint8Array(32).fill(99),
              );
              const { 'origin.test': own } = entry(answer).signatures as JsonObject;
              return {
                server_keys: [
                  {
                    ...resigned,
                    signatures: { ...(resigned.signatures as JsonObject), 'origin.test': own! },
                  },
                ],
              };
            },
          ],
          [
            'no notary signature',
            (answer) => {
              const { 'notary.test': _, ...others } = entry(answer).signatures as JsonObject;
              return { server_keys: [{ ...entry(answer), signatures: others }] };
            },
          ],
          [
            'a field changed (origin and notary signatures fail)',
            (answer) => ({ server_keys: [{ ...entry(answer), valid_until_ts: TEST_NOW + 1 }] }),
          ],
          [
            'keys of another server',
            (answer) => ({ server_keys: [{ ...entry(answer), server_name: 'notary.test' }] }),
          ],
          ['no server_keys', () => ({ keys: [] })],
        ];
        for (const [what, change] of cases) {
          const store = storeWith(change);
          assert.equal(
            await store.getVerifyKey('origin.test', 'ed25519:peer', NOW_LOOKUP),
            undefined,
            what,
          );
        }
        assert.deepEqual(await listServerKeys(db, 'origin.test'), []);
        // The unchanged answer is accepted, which shows the cases above failed for their change.
        const store = storeWith((answer) => answer);
        assert.ok(await store.getVerifyKey('origin.test', 'ed25519:peer', NOW_LOOKUP));
      }),
    ));
}
