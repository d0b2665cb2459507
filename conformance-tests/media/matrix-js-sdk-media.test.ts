// Issue 7 as real clients see it: `cairn start` as a process, matrix-js-sdk clients. alice
// uploads an image and a 50 MB file with the sdk's uploadContent and posts them to a room; bob's
// client receives the events and downloads both byte-identical over the authenticated media API,
// and a thumbnail of the image. With Kubo as the blob store, the daemon itself serves the same
// bytes (`ipfs cat`) under the CID computed independently from them, pinned.
// Backends: PGlite with Kubo, PostgreSQL with the local store (the in-process tests cover both
// databases with the local store).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import sharp from 'sharp';
import { unixfsCid } from '../../server/media/blob-store/unixfs-cid.ts';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import { PROCESS_BACKENDS, registerAndStartClient, waitUntil } from '../support/js-sdk-clients.ts';
import { kuboNode, kuboSkipReason } from '../support/kubo-node.ts';

const BIG = 50 * 1000 * 1000;

const RUNS = [
  { ...PROCESS_BACKENDS[0]!, store: 'Kubo' as const, skip: kuboSkipReason() },
  { ...PROCESS_BACKENDS[1]!, store: 'local files' as const },
];

/** The sdk's authenticated media URL (Matrix 1.11) for an mxc:// URI, as a client builds it. */
function authenticatedUrl(
  client: sdk.MatrixClient,
  mxc: string,
  thumbnail?: { width: number; height: number; method: 'crop' | 'scale' },
): string {
  const url = client.mxcUrlToHttp(
    mxc,
    thumbnail?.width,
    thumbnail?.height,
    thumbnail?.method,
    false,
    true,
    true,
  );
  assert.ok(url, `no URL for ${mxc}`);
  return url;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function downloadAs(
  client: sdk.MatrixClient,
  url: string,
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${client.getAccessToken()}` },
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

for (const run of RUNS) {
  describe(`matrix-js-sdk media on ${run.name} with ${run.store}`, { skip: run.skip }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    let alice: sdk.MatrixClient;
    let bob: sdk.MatrixClient;
    let roomId: string;

    before(async () => {
      databaseUrl = await run.databaseUrl();
      server = await startCairn(
        testEnv(newDataDir(), {
          CAIRN_SERVER_NAME: 'cairn.test',
          CAIRN_ENABLE_REGISTRATION: 'true',
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
          ...(run.store === 'Kubo' ? { CAIRN_IPFS_API: kuboNode().apiUrl } : {}),
        }),
      );
      [alice, bob] = (await Promise.all(
        ['alice', 'bob'].map((name) => registerAndStartClient(server.clientUrl, name)),
      )) as [sdk.MatrixClient, sdk.MatrixClient];
      ({ room_id: roomId } = await alice.createRoom({ invite: [bob.getUserId()!] }));
      await waitUntil(() => bob.getRoom(roomId) !== null, 'bob sees the invite', 30_000);
      await bob.joinRoom(roomId);
    });
    after(async () => {
      for (const client of [alice, bob]) client?.stopClient();
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('an image and a 50 MB file go up through the sdk and come down byte-identical', async () => {
      const image = await sharp({
        create: { width: 1200, height: 800, channels: 3, background: { r: 10, g: 120, b: 200 } },
      })
        .png()
        .toBuffer();
      const big = randomBytes(BIG);

      const imageUpload = await alice.uploadContent(image, {
        name: 'photo.png',
        type: 'image/png',
      });
      const bigUpload = await alice.uploadContent(big, {
        name: 'archive.bin',
        type: 'application/octet-stream',
      });
      await alice.sendMessage(roomId, {
        msgtype: sdk.MsgType.Image,
        body: 'photo.png',
        url: imageUpload.content_uri,
        info: { mimetype: 'image/png', size: image.length, w: 1200, h: 800 },
      });
      await alice.sendMessage(roomId, {
        msgtype: sdk.MsgType.File,
        body: 'archive.bin',
        url: bigUpload.content_uri,
        info: { mimetype: 'application/octet-stream', size: big.length },
      });

      // bob takes the URIs from the events his client synced, as a client displaying them would.
      const urls = () =>
        (bob.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
          .filter((e) => e.getType() === 'm.room.message' && typeof e.getContent().url === 'string')
          .map((e) => e.getContent().url as string);
      await waitUntil(() => urls().length === 2, 'bob syncs both media events', 30_000);
      const [imageUri, bigUri] = urls() as [string, string];
      assert.equal(imageUri, imageUpload.content_uri);

      // The sdk builds the authenticated media URLs (Matrix 1.11) when told to.
      const imageUrl = authenticatedUrl(bob, imageUri);
      assert.ok(imageUrl.includes('/_matrix/client/v1/media/download/'), imageUrl);
      const gotImage = await downloadAs(bob, imageUrl);
      assert.equal(gotImage.status, 200);
      assert.equal(gotImage.headers.get('content-type'), 'image/png');
      assert.equal(gotImage.headers.get('content-disposition'), 'inline; filename="photo.png"');
      assert.deepEqual(gotImage.bytes, image);

      const bigUrl = authenticatedUrl(bob, bigUri);
      const gotBig = await downloadAs(bob, bigUrl);
      assert.equal(gotBig.status, 200);
      assert.equal(gotBig.bytes.length, BIG);
      assert.equal(sha256(gotBig.bytes), sha256(big));
      assert.equal(gotBig.headers.get('content-disposition'), 'attachment; filename="archive.bin"');

      const thumbUrl = authenticatedUrl(bob, imageUri, { width: 96, height: 96, method: 'crop' });
      assert.ok(thumbUrl.includes('/_matrix/client/v1/media/thumbnail/'), thumbUrl);
      const thumb = await downloadAs(bob, thumbUrl);
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers.get('content-type'), 'image/png');
      const meta = await sharp(thumb.bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [96, 96]);

      // Without a token the authenticated endpoints refuse.
      const anonymous = await fetch(bigUrl);
      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as { errcode: string }).errcode, 'M_MISSING_TOKEN');

      if (run.store === 'Kubo') {
        const kubo = kuboNode();
        for (const bytes of [image, big]) {
          // Computed from the bytes alone (ipfs-unixfs-importer), not read back from Cairn.
          const cid = await unixfsCid([bytes]);
          const catted = kubo.ipfs(['cat', cid]);
          assert.equal(catted.length, bytes.length);
          assert.equal(sha256(catted), sha256(bytes));
          const pins = kubo.ipfs(['pin', 'ls', '--type=recursive', cid]).toString();
          assert.match(pins, new RegExp(`^${cid} recursive`));
        }
      }
    });
  });
}
