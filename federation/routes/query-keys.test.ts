// The notary endpoints (GET /_matrix/key/v2/query/{serverName}, POST /_matrix/key/v2/query) on
// both databases, answering for in-process Cairn peers: responses match the spec's schema and
// carry the origin's and our signatures; minimum_valid_until_ts makes a stale copy refetched; an
// unreachable server is served from the cache, or left out when nothing is cached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { createPeerNetwork } from '../../conformance-tests/support/federation-peers.ts';
import { loadSpecValidator } from '../../conformance-tests/support/openapi-validator.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { verifyJsonSignature } from '../../server/core/signing.ts';

const spec = await loadSpecValidator();
const VALIDITY = 168 * 3600_000;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the notary endpoints serve keys signed by the origin and by us`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const network = createPeerNetwork();
      t.after(() => network.close());
      const origin = await network.start({ serverName: 'origin.test', db, seedByte: 9 });
      const us = await network.start({ serverName: 'us.test', db, seedByte: 7 });
      const call = async (method: 'GET' | 'POST', url: string, payload?: JsonObject) => {
        const response = await us.app.inject({
          method,
          url,
          ...(payload === undefined ? {} : { payload }),
        });
        const body = response.json();
        if (response.statusCode === 200) {
          spec.assertResponse({
            api: 'server-server',
            method,
            path: url,
            status: response.statusCode,
            body,
          });
        }
        return { status: response.statusCode, body };
      };
      const signedBy = (
        entry: JsonObject,
        server: string,
        key: { keyId: string; publicKeyBase64: string },
      ) => verifyJsonSignature(entry, server, key.keyId, key.publicKeyBase64);

      // Another server: fetched, and served with both signatures.
      let { status, body } = await call('GET', '/_matrix/key/v2/query/origin.test');
      assert.equal(status, 200);
      assert.equal(body.server_keys.length, 1);
      let entry = body.server_keys[0] as JsonObject;
      assert.equal(entry.server_name, 'origin.test');
      assert.deepEqual(entry.verify_keys, {
        'ed25519:peer': { key: origin.ctx.signingKey.publicKeyBase64 },
      });
      assert.equal(entry.valid_until_ts, TEST_NOW + VALIDITY);
      assert.ok(signedBy(entry, 'origin.test', origin.ctx.signingKey));
      assert.ok(signedBy(entry, 'us.test', us.ctx.signingKey));
      assert.deepEqual(Object.keys(entry.signatures as JsonObject).sort(), [
        'origin.test',
        'us.test',
      ]);
      assert.equal(network.requests.length, 1);

      // Cached: asked again, no new fetch.
      ({ body } = await call('GET', '/_matrix/key/v2/query/origin.test'));
      assert.equal(body.server_keys.length, 1);
      assert.equal(network.requests.length, 1);

      // Our own name: our key as published, signed by us.
      ({ status, body } = await call('GET', '/_matrix/key/v2/query/us.test'));
      assert.equal(status, 200);
      entry = body.server_keys[0] as JsonObject;
      assert.equal(entry.server_name, 'us.test');
      assert.ok(signedBy(entry, 'us.test', us.ctx.signingKey));

      // A minimum_valid_until_ts past the cached copy: fetched again (the origin's clock moved).
      origin.setNow(TEST_NOW + 3600_000);
      us.setNow(TEST_NOW + 60_000);
      const later = TEST_NOW + VALIDITY + 1;
      ({ body } = await call(
        'GET',
        `/_matrix/key/v2/query/origin.test?minimum_valid_until_ts=${later}`,
      ));
      assert.equal(network.requests.length, 2);
      assert.equal(
        (body.server_keys[0] as JsonObject).valid_until_ts,
        TEST_NOW + 3600_000 + VALIDITY,
      );

      // Unreachable, with a copy cached: the copy, even when it is older than asked for.
      network.unreachable.add('origin.test');
      us.setNow(TEST_NOW + 120_000);
      const muchLater = TEST_NOW + 2 * VALIDITY;
      ({ body } = await call(
        'GET',
        `/_matrix/key/v2/query/origin.test?minimum_valid_until_ts=${muchLater}`,
      ));
      assert.equal(network.requests.length, 3);
      assert.equal(body.server_keys.length, 1);
      assert.ok(signedBy(body.server_keys[0], 'origin.test', origin.ctx.signingKey));

      // Unreachable with nothing cached, or not a server name: an empty list.
      ({ status, body } = await call('GET', '/_matrix/key/v2/query/nowhere.test'));
      assert.deepEqual([status, body], [200, { server_keys: [] }]);
      ({ status, body } = await call('GET', '/_matrix/key/v2/query/bad%2Fname'));
      assert.deepEqual([status, body], [200, { server_keys: [] }]);

      // POST: several servers at once; the unknown one is left out.
      ({ status, body } = await call('POST', '/_matrix/key/v2/query', {
        server_keys: {
          'origin.test': { 'ed25519:peer': { minimum_valid_until_ts: TEST_NOW } },
          'us.test': {},
          'nowhere.test': {},
        },
      }));
      assert.equal(status, 200);
      assert.deepEqual((body.server_keys as JsonObject[]).map((each) => each.server_name).sort(), [
        'origin.test',
        'us.test',
      ]);
      ({ status, body } = await call('POST', '/_matrix/key/v2/query', { server_keys: {} }));
      assert.deepEqual([status, body], [200, { server_keys: [] }]);

      // Bad input: the spec's errors, never a 500.
      const bad: [string, JsonObject | undefined, number, string][] = [
        ['POST', { server_keys: 'x' }, 400, 'M_BAD_JSON'],
        ['POST', {}, 400, 'M_BAD_JSON'],
        [
          'POST',
          { server_keys: { 'a.test': { k: { minimum_valid_until_ts: 'soon' } } } },
          400,
          'M_BAD_JSON',
        ],
        ['POST', undefined, 400, 'M_NOT_JSON'],
      ];
      for (const [method, payload, expected, errcode] of bad) {
        const response = await call(method as 'POST', '/_matrix/key/v2/query', payload);
        assert.deepEqual(
          [response.status, response.body.errcode],
          [expected, errcode],
          JSON.stringify(payload),
        );
      }
      const badQuery = await call(
        'GET',
        '/_matrix/key/v2/query/origin.test?minimum_valid_until_ts=soon',
      );
      assert.deepEqual([badQuery.status, badQuery.body.errcode], [400, 'M_INVALID_PARAM']);
      const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`s${i}.test`, {}]));
      const fanOut = await call('POST', '/_matrix/key/v2/query', { server_keys: tooMany });
      assert.deepEqual([fanOut.status, fanOut.body.errcode], [400, 'M_BAD_JSON']);
    }));
}
