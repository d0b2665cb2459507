// Keys in server-side key backups on both databases: stored under the spec's replacement rules,
// etag and count, the current-version rule for uploads, deleting keys at each level, refused
// bodies and parameters, and concurrent uploads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import {
  ALGORITHM,
  helpers,
  KEYS_PATH,
  key,
  keysUrl,
  prepare,
  ROOM_A,
  ROOM_B,
  VERSION_PATH,
} from './room-keys-test-support.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a stored key is replaced only by a better one, rule by rule`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      const version = await h.create();
      let etag = '0';
      /** Uploads one key for (ROOM_A, sessionId); checks what is stored and the etag moved iff it changed. */
      const upload = async (sessionId: string, sent: object, expectReplaced: boolean) => {
        const before = await h.get(version, ROOM_A, sessionId);
        const result = await h.put(version, sent, ROOM_A, sessionId);
        assert.equal(result.status, 200, JSON.stringify(result.body));
        const after = await h.get(version, ROOM_A, sessionId);
        assert.deepEqual(after.body, expectReplaced ? sent : before.body);
        if (expectReplaced) assert.notEqual(result.body.etag, etag);
        else assert.equal(result.body.etag, etag);
        etag = result.body.etag;
        return result.body;
      };
      assertError(await h.get(version, ROOM_A, 'verified'), 404, 'M_NOT_FOUND');
      assert.deepEqual(await upload('verified', key(5, 3, false, 'u'), true), { etag, count: 1 });
      // is_verified outranks both other fields, in both directions.
      await upload('verified', key(10, 9, true, 'v'), true);
      await upload('verified', key(0, 0, false, 'w'), false);

      await upload('index', key(5, 1, false, 'a'), true);
      // A lower first_message_index wins even with a higher forwarded_count; a higher one loses.
      await upload('index', key(3, 4, false, 'b'), true);
      await upload('index', key(7, 0, false, 'c'), false);

      await upload('forwards', key(3, 4, true, 'a'), true);
      await upload('forwards', key(3, 2, true, 'b'), true);
      await upload('forwards', key(3, 5, true, 'c'), false);
      // A tie keeps what is stored.
      const tie = await upload('forwards', key(3, 2, true, 'd'), false);
      assert.equal(tie.count, 3, 'replacements do not add to the count');

      // The same rules inside a many-room upload: one replaced, one kept, one new.
      const many = await h.put(version, {
        rooms: {
          [ROOM_A]: { sessions: { index: key(2, 0, false, 'm'), forwards: key(3, 3, true, 'n') } },
          [ROOM_B]: { sessions: { fresh: key(0, 0, false, 'o') } },
        },
      });
      assert.equal(many.status, 200);
      assert.equal(many.body.count, 4);
      assert.notEqual(many.body.etag, etag);
      const all = await h.get(version);
      assert.deepEqual(all.body, {
        rooms: {
          [ROOM_A]: {
            sessions: {
              verified: key(10, 9, true, 'v'),
              index: key(2, 0, false, 'm'),
              forwards: key(3, 2, true, 'b'),
            },
          },
          [ROOM_B]: { sessions: { fresh: key(0, 0, false, 'o') } },
        },
      });
    }));

  test(`${kind}: etag and count follow changes to the keys, and only those`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      const version = await h.create();
      const body = {
        rooms: {
          [ROOM_A]: { sessions: { s1: key(0, 0, true), s2: key(1, 0, false) } },
          [ROOM_B]: { sessions: { s3: key(2, 1, false) } },
        },
      };
      const first = await h.put(version, body);
      assert.equal(first.status, 200);
      assert.equal(first.body.count, 3);
      assert.notEqual(first.body.etag, '0');
      // The same upload again changes nothing.
      assert.deepEqual((await h.put(version, body)).body, first.body);
      // An empty upload is allowed and changes nothing either.
      assert.deepEqual((await h.put(version, { rooms: {} })).body, first.body);
      assert.deepEqual((await h.put(version, { sessions: {} }, ROOM_A)).body, first.body);
      const info = (await h.version(version)).body;
      assert.deepEqual([info.etag, info.count], [first.body.etag, 3]);

      const second = await h.put(version, { sessions: { s4: key(0, 0, false) } }, ROOM_B);
      assert.equal(second.body.count, 4);
      assert.notEqual(second.body.etag, first.body.etag);
      const current = (await h.current()).body;
      assert.deepEqual([current.etag, current.count], [second.body.etag, 4]);

      assert.deepEqual((await h.get(version, ROOM_B)).body, {
        sessions: { s3: key(2, 1, false), s4: key(0, 0, false) },
      });
      assert.deepEqual((await h.get(version, '!empty:example.org')).body, { sessions: {} });
      assertError(await h.get(version, ROOM_B, 's1'), 404, 'M_NOT_FOUND');
      assert.deepEqual((await h.get(version, ROOM_A, 's1')).body, key(0, 0, true));
      // A new version starts empty.
      const next = await h.create();
      assert.deepEqual((await h.get(next)).body, { rooms: {} });
      assert.equal((await h.current()).body.count, 0);
    }));

  test(`${kind}: uploads go to the current version only; unknown versions are 404`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      // No backup at all yet.
      assertError(
        await h.put('1', { sessions: { s: key(0, 0, true) } }, ROOM_A),
        404,
        'M_NOT_FOUND',
      );
      const old = await h.create();
      assert.equal((await h.put(old, { sessions: { s: key(0, 0, true) } }, ROOM_A)).status, 200);
      const current = await h.create();
      const refused = [
        await h.put(old, { rooms: { [ROOM_A]: { sessions: { t: key(0, 0, true) } } } }),
        await h.put(old, { sessions: { t: key(0, 0, true) } }, ROOM_A),
        await h.put(old, key(0, 0, true), ROOM_A, 't'),
      ];
      for (const result of refused) {
        assertError(result, 403, 'M_WRONG_ROOM_KEYS_VERSION');
        assert.equal(result.body.current_version, current);
      }
      for (const unknown of ['7', 'nope']) {
        assertError(await h.put(unknown, key(0, 0, true), ROOM_A, 't'), 404, 'M_NOT_FOUND');
        assertError(await h.get(unknown), 404, 'M_NOT_FOUND');
        assertError(await h.get(unknown, ROOM_A), 404, 'M_NOT_FOUND');
        assertError(await h.get(unknown, ROOM_A, 's'), 404, 'M_NOT_FOUND');
        assertError(await h.del(unknown), 404, 'M_NOT_FOUND');
        assertError(await h.del(unknown, ROOM_A), 404, 'M_NOT_FOUND');
        assertError(await h.del(unknown, ROOM_A, 's'), 404, 'M_NOT_FOUND');
      }
      // The old version is still readable; its keys were not touched.
      assert.deepEqual((await h.get(old)).body, {
        rooms: { [ROOM_A]: { sessions: { s: key(0, 0, true) } } },
      });
      // Deleting a version deletes its keys, and a deleted version is unknown.
      assert.equal((await h.deleteVersion(old)).status, 200);
      assertError(await h.get(old), 404, 'M_NOT_FOUND');
      assertError(await h.put(old, key(0, 0, true), ROOM_A, 's'), 404, 'M_NOT_FOUND');
      assert.equal(
        (await client.db.selectFrom('key_backup_sessions').selectAll().execute()).length,
        0,
      );
      // Once the newest version is deleted, the one before it is current again.
      assert.equal((await h.deleteVersion(current)).status, 200);
      assertError(await h.put(current, key(0, 0, true), ROOM_A, 's'), 404, 'M_NOT_FOUND');
    }));

  test(`${kind}: deleting keys by session, by room and all of them`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      const version = await h.create();
      const stored = await h.put(version, {
        rooms: {
          [ROOM_A]: { sessions: { s1: key(0, 0, true), s2: key(0, 0, true) } },
          [ROOM_B]: { sessions: { s3: key(0, 0, true), s4: key(0, 0, true) } },
          '!c:example.org': { sessions: { s5: key(0, 0, true) } },
        },
      });
      assert.equal(stored.body.count, 5);

      const one = await h.del(version, ROOM_A, 's1');
      assert.equal(one.status, 200);
      assert.equal(one.body.count, 4);
      assert.notEqual(one.body.etag, stored.body.etag);
      assertError(await h.get(version, ROOM_A, 's1'), 404, 'M_NOT_FOUND');
      // Deleting what is not there succeeds and changes nothing.
      assert.deepEqual((await h.del(version, ROOM_A, 's1')).body, one.body);
      assert.deepEqual((await h.del(version, '!none:example.org')).body, one.body);

      const room = await h.del(version, ROOM_B);
      assert.equal(room.body.count, 2);
      assert.notEqual(room.body.etag, one.body.etag);
      assert.deepEqual((await h.get(version, ROOM_B)).body, { sessions: {} });
      assert.deepEqual(Object.keys((await h.get(version)).body.rooms).sort(), [
        ROOM_A,
        '!c:example.org',
      ]);

      // Keys may be deleted from a version that is no longer current.
      await h.create();
      const all = await h.del(version);
      assert.equal(all.body.count, 0);
      assert.notEqual(all.body.etag, room.body.etag);
      assert.deepEqual((await h.get(version)).body, { rooms: {} });
      const info = (await h.version(version)).body;
      assert.deepEqual([info.count, info.etag], [0, all.body.etag]);
      assert.deepEqual((await h.del(version)).body, all.body);
    }));

  test(`${kind}: bad bodies and parameters are 400 and store nothing`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      const token = alice.accessToken;
      const post = (options: { body?: unknown; rawBody?: string }) =>
        client.call('POST', VERSION_PATH, { token, ...options });
      assertError(await post({ rawBody: '{nope' }), 400, 'M_NOT_JSON');
      for (const body of [
        {},
        { algorithm: ALGORITHM },
        { auth_data: {} },
        { algorithm: 1, auth_data: {} },
        { algorithm: '', auth_data: {} },
        { algorithm: 'a\u0000b', auth_data: {} },
        { algorithm: ALGORITHM, auth_data: 'pk' },
        { algorithm: ALGORITHM, auth_data: [] },
        [],
      ]) {
        assertError(await post({ body }), 400, 'M_BAD_JSON');
      }
      assertError(await h.current(), 404, 'M_NOT_FOUND');

      const version = await h.create();
      for (const body of [{}, { algorithm: ALGORITHM }, { algorithm: ALGORITHM, auth_data: 1 }]) {
        assertError(await h.update(version, body), 400, 'M_BAD_JSON');
      }
      assertError(
        await h.update(version, { algorithm: ALGORITHM, auth_data: {}, version: 1 }),
        400,
        'M_BAD_JSON',
      );
      const badKeys = [
        { ...key(0, 0, true), is_verified: 'yes' },
        { ...key(0, 0, true), first_message_index: -1 },
        { ...key(0, 0, true), first_message_index: 1.5 },
        { ...key(0, 0, true), forwarded_count: '0' },
        { ...key(0, 0, true), session_data: 'ciphertext' },
        { first_message_index: 0, forwarded_count: 0, is_verified: true },
      ];
      for (const bad of badKeys) {
        assertError(await h.put(version, bad, ROOM_A, 's'), 400, 'M_BAD_JSON');
        assertError(await h.put(version, { sessions: { s: bad } }, ROOM_A), 400, 'M_BAD_JSON');
        assertError(
          await h.put(version, { rooms: { [ROOM_A]: { sessions: { s: bad } } } }),
          400,
          'M_BAD_JSON',
        );
      }
      for (const body of [
        {},
        { rooms: [] },
        { rooms: { 'not-a-room': { sessions: {} } } },
        { rooms: { [ROOM_A]: {} } },
        { rooms: { [ROOM_A]: { sessions: { 'a\u0000b': key(0, 0, true) } } } },
      ]) {
        assertError(await h.put(version, body), 400, 'M_BAD_JSON');
      }
      assertError(await h.put(version, {}, ROOM_A), 400, 'M_BAD_JSON');
      assertError(await h.put(version, { sessions: [] }, ROOM_A), 400, 'M_BAD_JSON');
      assertError(await h.put(version, {}, ROOM_A, 's'), 400, 'M_BAD_JSON');
      assertError(
        await client.call('PUT', keysUrl(version, ROOM_A, 's'), { token, rawBody: '[' }),
        400,
        'M_NOT_JSON',
      );
      // The version query parameter is required; a room id must look like one.
      assertError(await client.call('GET', KEYS_PATH, { token }), 400, 'M_MISSING_PARAM');
      assertError(
        await client.call('PUT', `${KEYS_PATH}/${encodeURIComponent(ROOM_A)}/s`, {
          token,
          body: key(0, 0, true),
        }),
        400,
        'M_MISSING_PARAM',
      );
      assertError(await h.put(version, key(0, 0, true), 'not-a-room', 's'), 400, 'M_INVALID_PARAM');
      assertError(
        await client.call('POST', VERSION_PATH, { body: { algorithm: ALGORITHM, auth_data: {} } }),
        401,
        'M_MISSING_TOKEN',
      );
      assertError(await client.call('GET', keysUrl(version)), 401, 'M_MISSING_TOKEN');

      assert.equal(
        (await client.db.selectFrom('key_backup_sessions').selectAll().execute()).length,
        0,
      );
      assert.deepEqual(
        await client.db.selectFrom('key_backup_versions').select(['version', 'etag']).execute(),
        [{ version: 1, etag: 0 }],
      );
    }));

  test(`${kind}: concurrent uploads and creates lose no write and no etag step`, (t) =>
    withClient(t, kind, async (client) => {
      prepare(client);
      const alice = await client.newAccount('alice');
      const h = helpers(client, alice);
      const created = await Promise.all(Array.from({ length: 5 }, () => h.create()));
      assert.deepEqual(created.toSorted(), ['1', '2', '3', '4', '5']);
      const version = '5';
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          h.put(
            version,
            { sessions: { [`s${n}`]: key(n, 0, false), shared: key(12 - n, 0, false) } },
            ROOM_A,
          ),
        ),
      );
      for (const result of results) assert.equal(result.status, 200, JSON.stringify(result.body));
      // 12 new sessions plus `shared`; each upload changed something (its own new session).
      const etags = results.map((result) => Number(result.body.etag)).toSorted((a, b) => a - b);
      assert.deepEqual(
        etags,
        Array.from({ length: 12 }, (_, n) => n + 1),
      );
      const info = (await h.version(version)).body;
      assert.deepEqual([info.count, info.etag], [13, '12']);
      // Whatever the order, the best `shared` key won.
      assert.deepEqual((await h.get(version, ROOM_A, 'shared')).body, key(1, 0, false));
      assert.equal(Object.keys((await h.get(version, ROOM_A)).body.sessions).length, 13);
    }));
}
