// Inbound X-Matrix authentication through the real federation app, on both databases. The origin
// is a second in-process Cairn whose /_matrix/key/v2/server is really fetched over loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  createPeerNetwork,
  type FederationPeer,
} from '../../conformance-tests/support/federation-peers.ts';
import { loadSpecValidator } from '../../conformance-tests/support/openapi-validator.ts';
import type { JsonValue } from '../../server/core/pdu.ts';
import { authorizationHeader, formatXMatrix, parseXMatrix } from './x-matrix.ts';

const spec = await loadSpecValidator();
const TEST_PATH = '/_matrix/federation/v1/cairn_test';

// A route standing in for the federation endpoints to come: echoes who called and what.
function testRoutes(app: FastifyInstance): void {
  app.route({
    method: ['GET', 'PUT'],
    url: `${TEST_PATH}/:thing`,
    handler: (request) => ({ origin: request.federationOrigin, body: request.body ?? null }),
  });
  app.get('/_cairn/test/open', (request) => ({ origin: request.federationOrigin }));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: X-Matrix requests are verified with the origin's fetched key`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const network = createPeerNetwork();
      t.after(() => network.close());
      // The origin serves only its key, so it may share the database.
      const origin = await network.start({ serverName: 'origin.test', db, seedByte: 9 });
      const us = await network.start({
        serverName: 'us.test',
        db,
        seedByte: 7,
        routes: testRoutes,
      });
      const send = (
        method: 'GET' | 'PUT',
        url: string,
        authorization: string | undefined,
        payload?: JsonValue,
      ) =>
        us.app.inject({
          method,
          url,
          headers: authorization === undefined ? {} : { authorization },
          ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
        });
      const sign = (
        method: string,
        uri: string,
        content?: JsonValue,
        from: FederationPeer = origin,
        destination = 'us.test',
      ) =>
        authorizationHeader(
          { method, uri, origin: from.serverName, destination, content },
          from.ctx.signingKey,
        );
      const expect401 = async (response: Awaited<ReturnType<typeof send>>, why: string) => {
        assert.equal(response.statusCode, 401, `${why}: ${response.body}`);
        assert.equal(response.json().errcode, 'M_UNAUTHORIZED', why);
      };

      // Signed GET, with a percent-encoded path and a query string, exactly as sent.
      const uri = `${TEST_PATH}/a%3Ab?limit=5&x=%20`;
      let response = await send('GET', uri, sign('GET', uri));
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { origin: 'origin.test', body: null });
      assert.deepEqual(network.requests, ['origin.test /_matrix/key/v2/server']);

      // Signed PUT with a body; the key comes from the cache now.
      const body = { pdus: [], edus: [{ edu_type: 'm.typing', content: { typing: true } }] };
      response = await send('PUT', `${TEST_PATH}/t1`, sign('PUT', `${TEST_PATH}/t1`, body), body);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { origin: 'origin.test', body });
      assert.equal(network.requests.length, 1);

      // Without destination (servers before spec v1.3): the signature still covers our name.
      const withoutDestination = formatXMatrix({
        ...parseXMatrix(sign('GET', uri)),
        destination: undefined,
      });
      response = await send('GET', uri, withoutDestination);
      assert.equal(response.statusCode, 200, response.body);
      // Parameters in another order, bare values, other case: the same request.
      const auth = parseXMatrix(sign('GET', uri));
      const reordered = `x-matrix  SIG=${auth.sig} , key=${auth.key},destination=us.test,origin=origin.test`;
      assert.equal((await send('GET', uri, reordered)).statusCode, 200);

      await expect401(await send('GET', uri, undefined), 'no header');
      await expect401(await send('GET', uri, `Bearer abc`), 'another scheme');
      await expect401(
        await send('GET', uri, 'X-Matrix origin="origin.test",key="ed25519:peer'),
        'malformed',
      );
      await expect401(await send('GET', uri, 'X-Matrix origin=origin.test'), 'no key or sig');
      await expect401(
        await send('GET', uri, sign('GET', uri, undefined, origin, 'other.test')),
        'another destination',
      );
      // Signed for another destination, the header without one: the signature does not match.
      const forOther = parseXMatrix(sign('GET', uri, undefined, origin, 'other.test'));
      await expect401(
        await send('GET', uri, formatXMatrix({ ...forOther, destination: undefined })),
        'signed for another destination',
      );
      // Signed for us.test as destination but the header names another: still refused.
      await expect401(
        await send('GET', uri, formatXMatrix({ ...auth, destination: 'other.test' })),
        'destination param differs',
      );
      const flipped = auth.sig.startsWith('A') ? `B${auth.sig.slice(1)}` : `A${auth.sig.slice(1)}`;
      await expect401(await send('GET', uri, formatXMatrix({ ...auth, sig: flipped })), 'bad sig');
      await expect401(await send('GET', uri, formatXMatrix({ ...auth, sig: 'AAAA' })), 'short sig');
      await expect401(await send('GET', uri, sign('PUT', uri)), 'another method');
      await expect401(
        await send('GET', `${TEST_PATH}/a:b?limit=5&x=%20`, sign('GET', uri)),
        'decoded path',
      );
      await expect401(
        await send('GET', `${TEST_PATH}/a%3Ab?limit=6&x=%20`, sign('GET', uri)),
        'query',
      );
      await expect401(
        await send('PUT', `${TEST_PATH}/t1`, sign('PUT', `${TEST_PATH}/t1`, body), {
          ...body,
          pdus: [{}],
        }),
        'changed body',
      );
      await expect401(
        await send('PUT', `${TEST_PATH}/t1`, sign('PUT', `${TEST_PATH}/t1`), body),
        'body not signed',
      );

      // A key id the origin does not publish: it is asked once more, then refused; asked again
      // only after a pause, so a flood of made-up key ids is not a flood of fetches.
      us.setNow(TEST_NOW + 10_000);
      const before = network.requests.length;
      const unknownKey = formatXMatrix({ ...auth, key: 'ed25519:other' });
      await expect401(await send('GET', uri, unknownKey), 'unknown key');
      assert.equal(network.requests.length, before + 1);
      await expect401(await send('GET', uri, unknownKey), 'unknown key again');
      assert.equal(network.requests.length, before + 1);
      // Claiming to be a server whose key differs from the signer's.
      const impostor = await network.start({ serverName: 'impostor.test', db, seedByte: 11 });
      const forged = formatXMatrix({
        ...parseXMatrix(sign('GET', uri, undefined, impostor)),
        origin: 'origin.test',
      });
      await expect401(await send('GET', uri, forged), 'signed by another server');
      // An origin that cannot be reached has no key.
      network.unreachable.add('impostor.test');
      await expect401(
        await send('GET', uri, sign('GET', uri, undefined, impostor)),
        'unreachable origin',
      );
      await expect401(
        await send(
          'GET',
          uri,
          sign('GET', uri).replace('origin="origin.test"', 'origin="bad/name"'),
        ),
        'invalid origin',
      );

      // Routes the spec leaves open need no header; a request with one is not checked there.
      response = await send('GET', '/_matrix/federation/v1/version', undefined);
      assert.equal(response.statusCode, 200);
      spec.assertResponse({
        api: 'server-server',
        method: 'GET',
        path: '/_matrix/federation/v1/version',
        status: 200,
        body: response.json(),
      });
      assert.equal((await send('GET', '/_matrix/key/v2/server', undefined)).statusCode, 200);
      assert.deepEqual((await send('GET', '/_cairn/test/open', undefined)).json(), {
        origin: null,
      });
      // An unknown federation path is 404, not 401.
      assert.equal((await send('GET', '/_matrix/federation/v1/nope', undefined)).statusCode, 404);
    }));

  test(`${kind}: a key past its valid_until_ts is fetched again before it verifies`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const network = createPeerNetwork();
      t.after(() => network.close());
      const origin = await network.start({ serverName: 'origin.test', db, seedByte: 9 });
      const us = await network.start({
        serverName: 'us.test',
        db,
        seedByte: 7,
        routes: testRoutes,
      });
      const uri = `${TEST_PATH}/x`;
      const header = () =>
        authorizationHeader(
          { method: 'GET', uri, origin: 'origin.test', destination: 'us.test' },
          origin.ctx.signingKey,
        );
      const get = () =>
        us.app.inject({ method: 'GET', url: uri, headers: { authorization: header() } });
      assert.equal((await get()).statusCode, 200);
      // The origin publishes its key for 168 hours (the default) from its clock.
      const validity = 168 * 3600_000;
      us.setNow(TEST_NOW + validity - 1);
      assert.equal((await get()).statusCode, 200);
      assert.equal(network.requests.length, 1);
      // Past it: fetched again; the origin's clock has moved too, so the new response is valid.
      us.setNow(TEST_NOW + validity + 1);
      origin.setNow(TEST_NOW + validity);
      assert.equal((await get()).statusCode, 200);
      assert.equal(network.requests.length, 2);
      // The origin restarts with a new key: the new key id is fetched and used.
      const restarted = await network.start({
        serverName: 'origin.test',
        db,
        seedByte: 12,
        keyVersion: 'new',
      });
      restarted.setNow(TEST_NOW + validity);
      us.setNow(TEST_NOW + validity + 60_000);
      const signedByNew = authorizationHeader(
        { method: 'GET', uri, origin: 'origin.test', destination: 'us.test' },
        restarted.ctx.signingKey,
      );
      const response = await us.app.inject({
        method: 'GET',
        url: uri,
        headers: { authorization: signedByNew },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(network.requests.length, 3);
    }));
}
