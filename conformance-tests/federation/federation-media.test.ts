// Media across two Cairn processes: a user of hs2 downloads media uploaded on hs1 through hs2's
// authenticated endpoint, which fetches it from hs1's federation media endpoint (multipart/mixed),
// caches it and serves it with hs1's type and file name; thumbnails of media hs2 has not cached
// come from hs1's federation thumbnail endpoint. hs1's request metrics count what hs2 asked, so
// the cache is seen to answer the second time, and keeps answering with hs1 stopped.
// https://spec.matrix.org/latest/server-server-api/#content-repository
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { Agent, fetch as undiciFetch } from 'undici';
import { type CairnFederation, startFederatedCairns } from '../support/cairn-federation.ts';
import { runCairn } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import { PROCESS_BACKENDS } from '../support/js-sdk-clients.ts';
import { type KeySession, passwordLogin } from '../support/key-sessions.ts';
import { createTestCa } from '../support/test-tls.ts';

const BIG = 5 * 1000 * 1000;
const PASSWORD = 'media-test-password-1';
const DOWNLOAD_ROUTE = '/_matrix/federation/v1/media/download/:mediaId';
const THUMBNAIL_ROUTE = '/_matrix/federation/v1/media/thumbnail/:mediaId';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Got {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

async function get(url: string, token?: string): Promise<Got> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

function errcodeOf(got: Got): string {
  return (JSON.parse(got.bytes.toString('utf8')) as { errcode: string }).errcode;
}

async function upload(
  session: KeySession,
  bytes: Uint8Array,
  name: string,
  type: string,
): Promise<string> {
  const response = await fetch(
    `${session.baseUrl}/_matrix/media/v3/upload?filename=${encodeURIComponent(name)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': type },
      body: bytes,
    },
  );
  const body = (await response.json()) as { content_uri: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.content_uri;
}

/** `mxc://server/id` -> its id, checking the server. */
function mediaIdOf(mxc: string, serverName: string): string {
  const prefix = `mxc://${serverName}/`;
  assert.ok(mxc.startsWith(prefix), mxc);
  return mxc.slice(prefix.length);
}

/** How many requests hs1's federation listener answered on `route` with `status`, from its
 * Prometheus metrics. */
async function federationCount(clientUrl: string, route: string, status: number) {
  const text = await (await fetch(`${clientUrl}/_cairn/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('cairn_http_requests_total{') &&
        l.includes('listener="federation"') &&
        l.includes('method="GET"') &&
        l.includes(`route="${route}"`) &&
        l.includes(`status="${status}"`),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

for (const backend of PROCESS_BACKENDS) {
  describe(`media over federation (${backend.name})`, {
    skip: backend.skip,
    timeout: 300_000,
  }, () => {
    const ca = createTestCa();
    const scratch: string[] = [];
    let federation: CairnFederation;
    let hs1Url: string;
    let hs2Url: string;
    let alice: KeySession;
    let bob: KeySession;
    const image = { bytes: Buffer.alloc(0), id: '' };
    const big = { bytes: randomBytes(BIG), id: '' };
    let neverFetchedId: string;
    let quarantinedId: string;
    const named = { bytes: randomBytes(1_000_000), id: '' };

    before(async () => {
      federation = await startFederatedCairns(
        ['hs1.test', 'hs2.test'],
        async () => {
          const url = await backend.databaseUrl();
          if (url) scratch.push(url);
          return url;
        },
        { ca },
      );
      const [hs1, hs2] = federation.servers;
      hs1Url = hs1!.process.clientUrl;
      hs2Url = hs2!.process.clientUrl;
      // alice is an admin of hs1 (for the quarantine), made as an operator would.
      const created = runCairn(
        ['register-user', 'alice', '--password', PASSWORD, '--admin'],
        hs1!.env,
      );
      assert.equal(created.status, 0, created.stderr);
      const registered = runCairn(['register-user', 'bob', '--password', PASSWORD], hs2!.env);
      assert.equal(registered.status, 0, registered.stderr);
      alice = await passwordLogin(hs1Url, 'alice', PASSWORD);
      bob = await passwordLogin(hs2Url, 'bob', PASSWORD);

      image.bytes = await sharp({
        create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 40, b: 90 } },
      })
        .png()
        .toBuffer();
      image.id = mediaIdOf(await upload(alice, image.bytes, 'photo.png', 'image/png'), 'hs1.test');
      big.id = mediaIdOf(
        await upload(alice, big.bytes, 'archive.bin', 'application/octet-stream'),
        'hs1.test',
      );
      neverFetchedId = mediaIdOf(
        await upload(alice, Buffer.from('never fetched'), 'note.txt', 'text/plain'),
        'hs1.test',
      );
      named.id = mediaIdOf(
        await upload(alice, named.bytes, 'résumé 2026.pdf', 'application/pdf'),
        'hs1.test',
      );
      quarantinedId = mediaIdOf(
        await upload(alice, Buffer.from('to be quarantined'), 'bad.txt', 'text/plain'),
        'hs1.test',
      );
    });

    after(async () => {
      await federation?.stopAll();
      for (const url of scratch) {
        await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, url);
      }
    });

    const v1 = (kind: 'download' | 'thumbnail', id: string, query = '') =>
      `${hs2Url}/_matrix/client/v1/media/${kind}/hs1.test/${encodeURIComponent(id)}${query}`;

    test('a thumbnail of media hs2 has not cached comes from hs1, once', async () => {
      const url = v1('thumbnail', image.id, '?width=96&height=96&method=crop');
      const thumb = await get(url, bob.token);
      assert.equal(thumb.status, 200, thumb.bytes.toString());
      assert.equal(thumb.headers.get('content-type'), 'image/png');
      const meta = await sharp(thumb.bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [96, 96]);
      assert.equal(await federationCount(hs1Url, THUMBNAIL_ROUTE, 200), 1);
      // Only the thumbnail crossed: the image itself was not downloaded for it.
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 200), 0);

      const again = await get(url, bob.token);
      assert.equal(again.status, 200);
      assert.deepEqual(again.bytes, thumb.bytes);
      assert.equal(await federationCount(hs1Url, THUMBNAIL_ROUTE, 200), 1);
    });

    test("hs2 serves hs1's image and 5 MB file byte-identical, with hs1's type and name", async () => {
      const gotImage = await get(v1('download', image.id), bob.token);
      assert.equal(gotImage.status, 200, gotImage.bytes.toString());
      assert.equal(gotImage.headers.get('content-type'), 'image/png');
      assert.equal(gotImage.headers.get('content-disposition'), 'inline; filename="photo.png"');
      assert.deepEqual(gotImage.bytes, image.bytes);

      const gotBig = await get(v1('download', big.id), bob.token);
      assert.equal(gotBig.status, 200, gotBig.bytes.subarray(0, 200).toString());
      assert.equal(gotBig.headers.get('content-type'), 'application/octet-stream');
      assert.equal(gotBig.headers.get('content-disposition'), 'attachment; filename="archive.bin"');
      assert.equal(gotBig.bytes.length, BIG);
      assert.equal(sha256(gotBig.bytes), sha256(big.bytes));
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 200), 2);
    });

    test('the legacy endpoint with allow_remote=false serves only what hs2 has cached', async () => {
      const legacy = (id: string) =>
        `${hs2Url}/_matrix/media/v3/download/hs1.test/${encodeURIComponent(id)}?allow_remote=false`;
      const never = await get(legacy(neverFetchedId));
      assert.equal(never.status, 404);
      assert.equal(errcodeOf(never), 'M_NOT_FOUND');
      const cached = await get(legacy(image.id));
      assert.equal(cached.status, 200);
      assert.deepEqual(cached.bytes, image.bytes);
      // Neither asked hs1.
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 200), 2);
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 404), 0);
    });

    test('a thumbnail of media hs2 holds that is no image is 400, as on hs1', async () => {
      const query = '?width=32&height=32&method=crop';
      const onHs1 = await get(
        `${hs1Url}/_matrix/client/v1/media/thumbnail/hs1.test/${encodeURIComponent(big.id)}${query}`,
        alice.token,
      );
      assert.equal(onHs1.status, 400, onHs1.bytes.toString());
      assert.equal(errcodeOf(onHs1), 'M_UNKNOWN');
      const onHs2 = await get(v1('thumbnail', big.id, query), bob.token);
      assert.equal(onHs2.status, 400, onHs2.bytes.toString());
      assert.equal(errcodeOf(onHs2), 'M_UNKNOWN');
    });

    // hs1's federation thumbnail endpoint answers 400 M_UNKNOWN; hs2 tries the legacy path in
    // case hs1 predates the endpoint, finds none (M_UNRECOGNIZED) and passes hs1's 400 on.
    test('a thumbnail of media hs2 does not hold that is no image is 400', async () => {
      const got = await get(v1('thumbnail', neverFetchedId, '?width=32&height=32'), bob.token);
      assert.equal(got.status, 400, got.bytes.toString());
      assert.equal(errcodeOf(got), 'M_UNKNOWN');
    });

    test('an unknown media id on hs1 is 404 M_NOT_FOUND through hs2', async () => {
      const unknown = await get(v1('download', 'NoSuchMediaHere123'), bob.token);
      assert.equal(unknown.status, 404, unknown.bytes.toString());
      assert.equal(errcodeOf(unknown), 'M_NOT_FOUND');
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 404), 1);
    });

    test('media quarantined on hs1 is 404 to hs2, which never cached it', async () => {
      const quarantine = await fetch(
        `${hs1Url}/_synapse/admin/v1/media/quarantine/hs1.test/${encodeURIComponent(quarantinedId)}`,
        { method: 'POST', headers: { authorization: `Bearer ${alice.token}` } },
      );
      assert.equal(quarantine.status, 200, await quarantine.text());
      const got = await get(v1('download', quarantinedId), bob.token);
      assert.equal(got.status, 404, got.bytes.toString());
      assert.equal(errcodeOf(got), 'M_NOT_FOUND');
      // hs1's federation endpoint said 404 (not hs2 refusing on its own).
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 404), 2);
      const thumb = await get(v1('thumbnail', quarantinedId, '?width=32&height=32'), bob.token);
      assert.equal(thumb.status, 404);
      assert.equal(await federationCount(hs1Url, THUMBNAIL_ROUTE, 404), 1);
    });

    test("hs1's federation media endpoints refuse a request without X-Matrix auth", async () => {
      const dispatcher = new Agent({ connect: { ca: ca.certPem, servername: 'hs1.test' } });
      try {
        for (const path of [
          `/_matrix/federation/v1/media/download/${encodeURIComponent(image.id)}`,
          `/_matrix/federation/v1/media/thumbnail/${encodeURIComponent(image.id)}?width=32&height=32`,
        ]) {
          const response = await undiciFetch(
            `${federation.servers[0]!.process.federationUrl}${path}`,
            { dispatcher },
          );
          assert.equal(response.status, 401, path);
          const body = (await response.json()) as { errcode: string };
          assert.equal(body.errcode, 'M_UNAUTHORIZED', path);
        }
      } finally {
        await dispatcher.close();
      }
    });

    test('concurrent downloads share one fetch; a non-ASCII file name survives', async () => {
      const all = await Promise.all(
        Array.from({ length: 4 }, () => get(v1('download', named.id), bob.token)),
      );
      for (const got of all) {
        assert.equal(got.status, 200, got.bytes.subarray(0, 200).toString());
        assert.equal(sha256(got.bytes), sha256(named.bytes));
        assert.equal(got.headers.get('content-type'), 'application/pdf');
        assert.equal(
          got.headers.get('content-disposition'),
          `attachment; filename*=utf-8''r%C3%A9sum%C3%A9%202026.pdf`,
        );
      }
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 200), 3);
    });

    test('hs2 serves the cached media again without asking hs1, even with hs1 stopped', async () => {
      const gotImage = await get(v1('download', image.id), bob.token);
      assert.equal(gotImage.status, 200);
      assert.deepEqual(gotImage.bytes, image.bytes);
      assert.equal(await federationCount(hs1Url, DOWNLOAD_ROUTE, 200), 3);

      assert.equal(await federation.servers[0]!.process.stop(), 0);
      const gotBig = await get(v1('download', big.id), bob.token);
      assert.equal(gotBig.status, 200);
      assert.equal(sha256(gotBig.bytes), sha256(big.bytes));
      assert.equal(gotBig.headers.get('content-disposition'), 'attachment; filename="archive.bin"');
      const gotAgain = await get(v1('download', image.id), bob.token);
      assert.equal(gotAgain.status, 200);
      assert.deepEqual(gotAgain.bytes, image.bytes);
      assert.equal(gotAgain.headers.get('content-type'), 'image/png');
      // A thumbnail hs2 already has, and one it renders from the cached image.
      for (const size of ['width=96&height=96&method=crop', 'width=320&height=240&method=scale']) {
        const thumb = await get(v1('thumbnail', image.id, `?${size}`), bob.token);
        assert.equal(thumb.status, 200, `${size}: ${thumb.bytes.toString()}`);
        assert.equal(thumb.headers.get('content-type'), 'image/png');
      }
      // What hs2 never fetched is now out of reach: a 502, not a hang or a 500.
      const unreachable = await get(v1('download', neverFetchedId), bob.token);
      assert.equal(unreachable.status, 502, unreachable.bytes.toString());
    });
  });
}
