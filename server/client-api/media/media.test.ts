// The media repository through the client API, on both databases, with the local blob store in a
// fresh data directory per test: uploads (streamed, limits, dedupe), downloads and their headers,
// asynchronous uploads, thumbnails, admin quarantine and delete, retention, and the errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import sharp from 'sharp';
import { request } from 'undici';
import {
  assertError,
  type ClientHarness,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import {
  DATABASE_KINDS,
  TEST_NOW,
  TEST_SERVER_NAME,
} from '../../../conformance-tests/support/databases.ts';
import { applyMediaRetention } from '../../media/media-retention.ts';

const UPLOAD = '/_matrix/media/v3/upload';
const V1 = '/_matrix/client/v1/media';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  bytes: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: JSON errors as the server sent them
  json: any;
}

async function raw(
  client: ClientHarness,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  options: {
    token?: string;
    body?: Buffer;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Raw> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  const response = await client.app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body }),
  });
  const bytes = response.rawPayload;
  let json: unknown;
  if (String(response.headers['content-type'] ?? '').startsWith('application/json')) {
    json = JSON.parse(bytes.toString('utf8'));
  }
  // JSON answers (uploads, config, errors) are checked against the spec's OpenAPI description;
  // the admin API (Synapse's paths) is not in the spec.
  if (json !== undefined && url.startsWith('/_matrix/'))
    client.spec.assertResponse({ method, path: url, status: response.statusCode, body: json });
  // 502 and 504 are the spec's answers for remote and pending media; 500 is never one.
  assert.notEqual(response.statusCode, 500, `${method} ${url} -> ${bytes}`);
  return { status: response.statusCode, headers: response.headers, bytes, json };
}

async function upload(
  client: ClientHarness,
  token: string,
  bytes: Buffer,
  contentType = 'application/octet-stream',
  filename?: string,
): Promise<string> {
  const query = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`;
  const res = await raw(client, 'POST', `${UPLOAD}${query}`, { token, body: bytes, contentType });
  assert.equal(res.status, 200, res.bytes.toString());
  const uri = res.json.content_uri as string;
  assert.match(uri, new RegExp(`^mxc://${TEST_SERVER_NAME}/[A-Za-z0-9_-]+$`));
  return uri.slice('mxc://'.length);
}

function mediaFiles(dataDir: string): string[] {
  const blobs = join(dataDir, 'media', 'blobs');
  if (!existsSync(blobs)) return [];
  return readdirSync(blobs, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

function tempFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'media', 'tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function withMedia(
  t: Parameters<typeof withClient>[0],
  kind: Parameters<typeof withClient>[1],
  fn: (client: ClientHarness, dataDir: string) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-media-test-'));
  return withClient(t, kind, (client) => fn(client, dataDir), {
    CAIRN_DATA_DIR: dataDir,
    CAIRN_MAX_UPLOAD_SIZE: String(1024 * 1024),
    ...env,
  });
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: an upload downloads byte-identical with the spec's headers`, (t) =>
    withMedia(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const bytes = randomBytes(300_000);
      const id = await upload(client, alice.accessToken, bytes, 'image/png', 'holiday snap.png');

      const res = await raw(client, 'GET', `${V1}/download/${id}`, { token: alice.accessToken });
      assert.equal(res.status, 200);
      assert.deepEqual(res.bytes, bytes);
      assert.equal(res.headers['content-type'], 'image/png');
      assert.equal(res.headers['content-disposition'], 'inline; filename="holiday snap.png"');
      assert.match(String(res.headers['content-security-policy']), /sandbox/);
      assert.equal(res.headers['content-length'], String(bytes.length));

      const renamed = await raw(client, 'GET', `${V1}/download/${id}/other%20name.png`, {
        token: alice.accessToken,
      });
      assert.equal(renamed.headers['content-disposition'], 'inline; filename="other name.png"');

      // Not a type that is safe inline: an attachment, whatever the uploader claimed.
      const htmlId = await upload(
        client,
        alice.accessToken,
        Buffer.from('<script>1</script>'),
        'text/html',
        'page.html',
      );
      const html = await raw(client, 'GET', `${V1}/download/${htmlId}`, {
        token: alice.accessToken,
      });
      assert.equal(html.headers['content-type'], 'text/html');
      assert.equal(html.headers['content-disposition'], 'attachment; filename="page.html"');

      // A non-ASCII name is carried in RFC 8187 form; no name: no filename parameter.
      const named = await upload(
        client,
        alice.accessToken,
        Buffer.from('x'),
        'text/plain',
        'résumé.txt',
      );
      const utf8 = await raw(client, 'GET', `${V1}/download/${named}`, {
        token: alice.accessToken,
      });
      assert.equal(
        utf8.headers['content-disposition'],
        "inline; filename*=utf-8''r%C3%A9sum%C3%A9.txt",
      );
      const plain = await upload(client, alice.accessToken, Buffer.from('y'));
      const unnamed = await raw(client, 'GET', `${V1}/download/${plain}`, {
        token: alice.accessToken,
      });
      assert.equal(unnamed.headers['content-disposition'], 'attachment');
      assert.equal(unnamed.headers['content-type'], 'application/octet-stream');

      // The legacy endpoint serves without a token while media_legacy_download is on.
      const legacy = await raw(client, 'GET', `/_matrix/media/v3/download/${id}`);
      assert.equal(legacy.status, 200);
      assert.deepEqual(legacy.bytes, bytes);

      // A range, for seeking.
      const part = await raw(client, 'GET', `${V1}/download/${id}`, {
        token: alice.accessToken,
        headers: { range: 'bytes=100-199' },
      });
      assert.equal(part.status, 206);
      assert.deepEqual(part.bytes, bytes.subarray(100, 200));
      assert.equal(part.headers['content-range'], `bytes 100-199/${bytes.length}`);
    }));

  test(`${kind}: the same bytes uploaded twice are two URIs stored once`, (t) =>
    withMedia(t, kind, async (client, dataDir) => {
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const bytes = randomBytes(10_000);
      const first = await upload(client, alice.accessToken, bytes);
      const second = await upload(client, bob.accessToken, bytes);
      assert.notEqual(first, second);
      assert.equal(mediaFiles(dataDir).length, 1);
      const rows = await client.db.selectFrom('media').select(['cid', 'user_id']).execute();
      assert.equal(rows.length, 2);
      assert.equal(rows[0]?.cid, rows[1]?.cid);
    }));

  test(`${kind}: uploads over max_upload_size get M_TOO_LARGE and leave nothing stored`, (t) =>
    withMedia(t, kind, async (client, dataDir) => {
      const alice = await client.newAccount('alice');
      await upload(client, alice.accessToken, randomBytes(1000));
      const before = await snapshotTables(client.db, ['media', 'media_thumbnails']);
      const filesBefore = mediaFiles(dataDir);

      const config = await raw(client, 'GET', `${V1}/config`, { token: alice.accessToken });
      assert.equal(config.json['m.upload.size'], 1024 * 1024);

      // Declared too large: refused before reading.
      const declared = await raw(client, 'POST', UPLOAD, {
        token: alice.accessToken,
        body: randomBytes(1024 * 1024 + 1),
      });
      assert.equal(declared.status, 413);
      assert.equal(declared.json.errcode, 'M_TOO_LARGE');

      // Streamed without a length (chunked, over a real socket): cut off once past the limit.
      const url = await client.app.listen({ host: '127.0.0.1', port: 0 });
      const streamed = await request(`${url}${UPLOAD}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.accessToken}` },
        body: Readable.from(
          (function* () {
            for (let i = 0; i < 40; i++) {
              yield randomBytes(64 * 1024);
            }
          })(),
        ),
      });
      assert.equal(streamed.statusCode, 413);
      assert.equal(((await streamed.body.json()) as { errcode: string }).errcode, 'M_TOO_LARGE');

      assert.equal(await snapshotTables(client.db, ['media', 'media_thumbnails']), before);
      assert.deepEqual(mediaFiles(dataDir), filesBefore);
      assert.deepEqual(tempFiles(dataDir), []);

      // Exactly the limit is fine.
      await upload(client, alice.accessToken, randomBytes(1024 * 1024));
    }));

  test(`${kind}: authenticated media endpoints refuse requests without a valid token`, (t) =>
    withMedia(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const id = await upload(client, alice.accessToken, Buffer.from('secret'));
      for (const [method, url] of [
        ['GET', `${V1}/download/${id}`],
        ['GET', `${V1}/download/${id}/name.txt`],
        ['GET', `${V1}/thumbnail/${id}?width=32&height=32`],
        ['GET', `${V1}/config`],
        ['POST', UPLOAD],
        ['POST', '/_matrix/media/v1/create'],
      ] as const) {
        const missing = await raw(client, method, url);
        assert.equal(missing.status, 401, `${method} ${url}`);
        assert.equal(missing.json.errcode, 'M_MISSING_TOKEN');
        const unknown = await raw(client, method, url, { token: 'not-a-token' });
        assert.equal(unknown.status, 401, `${method} ${url}`);
        assert.equal(unknown.json.errcode, 'M_UNKNOWN_TOKEN');
      }
      assert.equal(
        await client.db
          .selectFrom('media')
          .select('media_id')
          .execute()
          .then((r) => r.length),
        1,
      );
    }));

  test(`${kind}: unknown media ids are M_NOT_FOUND`, (t) =>
    withMedia(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      for (const url of [
        `${V1}/download/${TEST_SERVER_NAME}/doesNotExist`,
        `${V1}/download/${TEST_SERVER_NAME}/bad%2Fid`,
        `${V1}/thumbnail/${TEST_SERVER_NAME}/doesNotExist?width=32&height=32`,
      ]) {
        const res = await raw(client, 'GET', url, { token: alice.accessToken });
        assert.equal(res.status, 404, url);
        assert.equal(res.json.errcode, 'M_NOT_FOUND');
      }
      // Remote media with no federation here: the remote server cannot be asked.
      const remote = await raw(client, 'GET', `${V1}/download/elsewhere.example/abc`, {
        token: alice.accessToken,
      });
      assert.equal(remote.status, 502);
      const uncached = await raw(
        client,
        'GET',
        '/_matrix/media/v3/download/elsewhere.example/abc?allow_remote=false',
      );
      assert.equal(uncached.status, 404);
    }));

  test(`${kind}: legacy downloads are refused when media_legacy_download is off`, (t) =>
    withMedia(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const id = await upload(client, alice.accessToken, Buffer.from('hi'));
        const legacy = await raw(client, 'GET', `/_matrix/media/v3/download/${id}`);
        assert.equal(legacy.status, 404);
        const authed = await raw(client, 'GET', `${V1}/download/${id}`, {
          token: alice.accessToken,
        });
        assert.equal(authed.status, 200);
      },
      { CAIRN_MEDIA_LEGACY_DOWNLOAD: 'false' },
    ));

  test(`${kind}: asynchronous uploads: create, wait, upload once, by their creator`, (t) =>
    withMedia(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        const created = await raw(client, 'POST', '/_matrix/media/v1/create', {
          token: alice.accessToken,
        });
        assert.equal(created.status, 200);
        assert.equal(created.json.unused_expires_at, TEST_NOW + 86_400_000);
        const id = (created.json.content_uri as string).slice('mxc://'.length);

        const early = await raw(client, 'GET', `${V1}/download/${id}?timeout_ms=50`, {
          token: alice.accessToken,
        });
        assert.equal(early.status, 504);
        assert.equal(early.json.errcode, 'M_NOT_YET_UPLOADED');

        const byBob = await raw(client, 'PUT', `/_matrix/media/v3/upload/${id}`, {
          token: bob.accessToken,
          body: Buffer.from('not yours'),
        });
        assertError({ status: byBob.status, body: byBob.json }, 403, 'M_FORBIDDEN');

        // A download waiting for the bytes gets them when they come.
        const waiting = raw(client, 'GET', `${V1}/download/${id}?timeout_ms=10000`, {
          token: bob.accessToken,
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        const put = await raw(client, 'PUT', `/_matrix/media/v3/upload/${id}?filename=a.txt`, {
          token: alice.accessToken,
          body: Buffer.from('the bytes'),
          contentType: 'text/plain',
        });
        assert.equal(put.status, 200);
        const got = await waiting;
        assert.equal(got.status, 200);
        assert.equal(got.bytes.toString(), 'the bytes');
        assert.equal(got.headers['content-disposition'], 'inline; filename="a.txt"');

        const again = await raw(client, 'PUT', `/_matrix/media/v3/upload/${id}`, {
          token: alice.accessToken,
          body: Buffer.from('other bytes'),
        });
        assertError({ status: again.status, body: again.json }, 409, 'M_CANNOT_OVERWRITE_MEDIA');

        const unknown = await raw(
          client,
          'PUT',
          `/_matrix/media/v3/upload/${TEST_SERVER_NAME}/nope`,
          {
            token: alice.accessToken,
            body: Buffer.from('x'),
          },
        );
        assert.equal(unknown.status, 404);

        // At most two URIs waiting for bytes at once (the test's setting).
        for (let i = 0; i < 2; i++) {
          const ok = await raw(client, 'POST', '/_matrix/media/v1/create', {
            token: bob.accessToken,
          });
          assert.equal(ok.status, 200);
        }
        const over = await raw(client, 'POST', '/_matrix/media/v1/create', {
          token: bob.accessToken,
        });
        assert.equal(over.status, 429);
        assert.equal(over.json.errcode, 'M_LIMIT_EXCEEDED');
        assert.equal(typeof over.json.retry_after_ms, 'number');
      },
      { CAIRN_MEDIA_MAX_PENDING_UPLOADS: '2' },
    ));

  test(`${kind}: thumbnails are made once at the spec's sizes, and refused for non-images`, (t) =>
    withMedia(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const image = await sharp({
        create: { width: 1000, height: 500, channels: 3, background: { r: 200, g: 30, b: 30 } },
      })
        .jpeg()
        .toBuffer();
      const id = await upload(client, alice.accessToken, image, 'image/jpeg', 'red.jpg');

      const crop = await raw(
        client,
        'GET',
        `${V1}/thumbnail/${id}?width=32&height=32&method=crop`,
        {
          token: alice.accessToken,
        },
      );
      assert.equal(crop.status, 200);
      assert.equal(crop.headers['content-type'], 'image/jpeg');
      assert.match(
        String(crop.headers['content-disposition']),
        /^inline; filename="thumbnail\.jpeg"$/,
      );
      const cropMeta = await sharp(crop.bytes).metadata();
      assert.deepEqual([cropMeta.width, cropMeta.height], [32, 32]);

      const scale = await raw(
        client,
        'GET',
        `${V1}/thumbnail/${id}?width=300&height=200&method=scale`,
        {
          token: alice.accessToken,
        },
      );
      const scaleMeta = await sharp(scale.bytes).metadata();
      // 320x240 is the smallest scale size that holds 300x200; the 2:1 image fits as 320x160.
      assert.deepEqual([scaleMeta.width, scaleMeta.height], [320, 160]);

      const before = await client.db.selectFrom('media_thumbnails').selectAll().execute();
      const repeat = await raw(
        client,
        'GET',
        `${V1}/thumbnail/${id}?width=32&height=32&method=crop`,
        {
          token: alice.accessToken,
        },
      );
      assert.deepEqual(repeat.bytes, crop.bytes);
      assert.deepEqual(
        await client.db.selectFrom('media_thumbnails').selectAll().execute(),
        before,
      );
      assert.equal(before.length, 2);

      const text = await upload(
        client,
        alice.accessToken,
        Buffer.from('not an image'),
        'image/png',
      );
      const refused = await raw(client, 'GET', `${V1}/thumbnail/${text}?width=32&height=32`, {
        token: alice.accessToken,
      });
      assertError({ status: refused.status, body: refused.json }, 400, 'M_UNKNOWN');

      for (const query of [
        'width=0&height=32',
        'width=-5&height=32',
        'width=abc&height=32',
        'width=32&height=32&method=zoom',
      ]) {
        const bad = await raw(client, 'GET', `${V1}/thumbnail/${id}?${query}`, {
          token: alice.accessToken,
        });
        assertError({ status: bad.status, body: bad.json }, 400, 'M_INVALID_PARAM');
      }
      const missing = await raw(client, 'GET', `${V1}/thumbnail/${id}?height=32`, {
        token: alice.accessToken,
      });
      assertError({ status: missing.status, body: missing.json }, 400, 'M_MISSING_PARAM');
    }));

  test(`${kind}: admins quarantine and delete media; shared bytes stay for the other URI`, (t) =>
    withMedia(t, kind, async (client, dataDir) => {
      const alice = await client.newAccount('alice');
      const admin = await client.newAccount('admin');
      await client.db
        .updateTable('users')
        .set({ is_admin: true })
        .where('user_id', '=', admin.userId)
        .execute();
      const bytes = randomBytes(2000);
      const first = await upload(client, alice.accessToken, bytes);
      const second = await upload(client, alice.accessToken, bytes);

      const notAdmin = await raw(client, 'POST', `/_synapse/admin/v1/media/quarantine/${first}`, {
        token: alice.accessToken,
      });
      assert.equal(notAdmin.status, 403);

      const quarantined = await raw(
        client,
        'POST',
        `/_synapse/admin/v1/media/quarantine/${first}`,
        {
          token: admin.accessToken,
        },
      );
      assert.equal(quarantined.status, 200);
      const hidden = await raw(client, 'GET', `${V1}/download/${first}`, {
        token: alice.accessToken,
      });
      assert.equal(hidden.status, 404);
      assert.equal((await raw(client, 'GET', `/_matrix/media/v3/download/${first}`)).status, 404);
      await raw(client, 'POST', `/_synapse/admin/v1/media/unquarantine/${first}`, {
        token: admin.accessToken,
      });
      assert.equal(
        (await raw(client, 'GET', `${V1}/download/${first}`, { token: alice.accessToken })).status,
        200,
      );

      const deleted = await raw(client, 'DELETE', `/_synapse/admin/v1/media/${first}`, {
        token: admin.accessToken,
      });
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.json, { deleted_media: [first.split('/')[1]], total: 1 });
      assert.equal(
        (await raw(client, 'GET', `${V1}/download/${first}`, { token: alice.accessToken })).status,
        404,
      );
      // The other URI names the same bytes: still served, still stored.
      const kept = await raw(client, 'GET', `${V1}/download/${second}`, {
        token: alice.accessToken,
      });
      assert.deepEqual(kept.bytes, bytes);
      assert.equal(mediaFiles(dataDir).length, 1);

      await raw(client, 'DELETE', `/_synapse/admin/v1/media/${second}`, {
        token: admin.accessToken,
      });
      assert.equal(mediaFiles(dataDir).length, 0);
      const again = await raw(client, 'DELETE', `/_synapse/admin/v1/media/${second}`, {
        token: admin.accessToken,
      });
      assert.equal(again.status, 404);
    }));

  test(`${kind}: retention deletes media not downloaded in time and expired upload URIs`, (t) =>
    withMedia(
      t,
      kind,
      async (client, dataDir) => {
        const alice = await client.newAccount('alice');
        const old = await upload(client, alice.accessToken, randomBytes(100));
        const fresh = await upload(client, alice.accessToken, randomBytes(100));
        const created = await raw(client, 'POST', '/_matrix/media/v1/create', {
          token: alice.accessToken,
        });
        const pending = (created.json.content_uri as string).split('/').pop() as string;
        await client.db
          .updateTable('media')
          .set({ last_access_ts: TEST_NOW - 3 * 86_400_000 })
          .where('media_id', '=', old.split('/')[1] as string)
          .execute();
        await client.db
          .updateTable('media')
          .set({ unused_expires_ts: TEST_NOW - 1 })
          .where('media_id', '=', pending)
          .execute();
        assert.equal(await applyMediaRetention(client.ctx), 2);
        const left = await client.db.selectFrom('media').select('media_id').execute();
        assert.deepEqual(
          left.map((r) => r.media_id),
          [fresh.split('/')[1]],
        );
        assert.equal(mediaFiles(dataDir).length, 1);
      },
      { CAIRN_MEDIA_RETENTION_LOCAL_DAYS: '2' },
    ));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a blob store that is down or lost bytes gives errors, never a 500 or a cut-off body`, (t) =>
    withMedia(t, kind, async (client, dataDir) => {
      const alice = await client.newAccount('alice');
      // A malformed Content-Type is not echoed back: served as application/octet-stream.
      const odd = await upload(client, alice.accessToken, Buffer.from('x'), 'not a media type');
      const oddGot = await raw(client, 'GET', `${V1}/download/${odd}`, {
        token: alice.accessToken,
      });
      assert.equal(oddGot.headers['content-type'], 'application/octet-stream');
      assert.equal(oddGot.headers['content-disposition'], 'attachment');

      const id = await upload(client, alice.accessToken, randomBytes(5000));
      for (const file of readdirSync(join(dataDir, 'media', 'blobs'), {
        recursive: true,
        withFileTypes: true,
      })) {
        if (file.isFile()) rmSync(join(file.parentPath, file.name));
      }
      const lost = await raw(client, 'GET', `${V1}/download/${id}`, { token: alice.accessToken });
      assertError({ status: lost.status, body: lost.json }, 404, 'M_NOT_FOUND');
    }));

  test(`${kind}: with Kubo unreachable an upload is 503 and stores nothing`, (t) =>
    withMedia(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const res = await raw(client, 'POST', UPLOAD, {
          token: alice.accessToken,
          body: randomBytes(1000),
        });
        assertError({ status: res.status, body: res.json }, 503, 'M_UNKNOWN');
        assert.deepEqual(await client.db.selectFrom('media').selectAll().execute(), []);
      },
      // Nothing listens on port 9 (discard) of loopback here.
      { CAIRN_IPFS_API: 'http://127.0.0.1:9' },
    ));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: uploads are rate-limited per user with M_LIMIT_EXCEEDED`, (t) =>
    withMedia(
      t,
      kind,
      async (client) => {
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        await upload(client, alice.accessToken, Buffer.from('1'));
        await upload(client, alice.accessToken, Buffer.from('2'));
        const third = await raw(client, 'POST', UPLOAD, {
          token: alice.accessToken,
          body: Buffer.from('3'),
        });
        assert.equal(third.status, 429);
        assert.equal(third.json.errcode, 'M_LIMIT_EXCEEDED');
        assert.ok(third.json.retry_after_ms > 0);
        // Per user: bob still may.
        await upload(client, bob.accessToken, Buffer.from('4'));
        assert.equal((await client.db.selectFrom('media').select('media_id').execute()).length, 3);
      },
      {
        CAIRN_RATE_LIMIT_MEDIA_UPLOADS_PER_SECOND: '0.001',
        CAIRN_RATE_LIMIT_MEDIA_UPLOADS_BURST: '2',
      },
    ));
}
