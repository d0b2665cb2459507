// Media between Cairn and a real Synapse, both ways, over the authenticated (Matrix 1.11) media
// endpoints. A Synapse user downloads Cairn media through Synapse, which fetches it from Cairn's
// federation media endpoint: Synapse's multipart/mixed parser accepts what Cairn writes. A Cairn
// user downloads Synapse media through Cairn: Cairn's reader takes what Synapse writes, for the
// federation download and thumbnail endpoints. Bytes identical, file names carried.
// https://spec.matrix.org/latest/server-server-api/#content-repository
// One Synapse (slow to start) serves every test of this file.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, type TestContext, test } from 'node:test';
import sharp from 'sharp';
import { fileNameOfDisposition } from '../../server/media/content-headers.ts';
import {
  type CairnProcess,
  newDataDir,
  runCairn,
  startCairn,
  testEnv,
} from '../support/cairn-process.ts';
import { type KeySession, passwordLogin } from '../support/key-sessions.ts';
import {
  cairnEnvForSynapse,
  type SynapsePeer,
  type SynapseUser,
  startSynapse,
  synapseAvailability,
} from '../support/synapse-peer.ts';

const availability = synapseAvailability();
const PASSWORD = 'media-test-password-1';
const BIG = 3 * 1000 * 1000;
let synapse: SynapsePeer;
let cairn: CairnProcess;
let cairnName: string;
let sam: SynapseUser;
let alice: KeySession;

before(async () => {
  if (!availability.ok) return;
  synapse = await startSynapse();
  const peer = await cairnEnvForSynapse(synapse);
  cairnName = peer.serverName;
  const env = testEnv(newDataDir(), peer.env);
  cairn = await startCairn(env);
  sam = await synapse.registerUser('sam', 'sam-password-123');
  const created = runCairn(['register-user', 'alice', '--password', PASSWORD], env);
  assert.equal(created.status, 0, created.stderr);
  alice = await passwordLogin(cairn.clientUrl, 'alice', PASSWORD);
});

after(async () => {
  await cairn?.stop();
  await synapse?.stop();
});

function skipUnlessSynapse(t: TestContext): boolean {
  if (availability.ok) return false;
  t.skip(availability.reason);
  return true;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const enc = encodeURIComponent;

interface Got {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

async function get(url: string, token: string): Promise<Got> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** Uploads on the legacy v3 path (both servers have it); returns the media id. */
async function upload(
  baseUrl: string,
  token: string,
  serverName: string,
  file: { bytes: Uint8Array; name: string; type: string },
): Promise<string> {
  const response = await fetch(`${baseUrl}/_matrix/media/v3/upload?filename=${enc(file.name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': file.type },
    body: file.bytes,
  });
  const body = (await response.json()) as { content_uri: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  const prefix = `mxc://${serverName}/`;
  assert.ok(body.content_uri.startsWith(prefix), body.content_uri);
  return body.content_uri.slice(prefix.length);
}

const pngImage = (background: { r: number; g: number; b: number }) =>
  sharp({ create: { width: 1200, height: 800, channels: 3, background } })
    .png()
    .toBuffer();

/** How many requests Cairn's federation listener answered on `route` with `status`. */
async function federationCount(route: string, status: number): Promise<number> {
  const text = await (await fetch(`${cairn.clientUrl}/_cairn/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('cairn_http_requests_total{') &&
        l.includes('listener="federation"') &&
        l.includes(`route="${route}"`) &&
        l.includes(`status="${status}"`),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Synapse logs a request once it has sent the whole reply, which may be just after the reader
 * has it all: a few moments' grace. */
async function untilLogged(seen: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!seen()) {
    if (Date.now() > deadline) assert.fail(`not in Synapse's log\n${synapse.logTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function assertThumbnail(got: Got, what: string): Promise<void> {
  assert.equal(got.status, 200, `${what}: ${got.bytes.subarray(0, 300).toString()}`);
  assert.match(got.headers.get('content-type') ?? '', /^image\/(png|jpeg)$/, what);
  return sharp(got.bytes)
    .metadata()
    .then((meta) => assert.deepEqual([meta.width, meta.height], [96, 96], what));
}

test("a Synapse user downloads Cairn's media through Synapse, byte-identical", async (t) => {
  if (skipUnlessSynapse(t)) return;
  const image = {
    bytes: await pngImage({ r: 30, g: 160, b: 60 }),
    name: 'photo.png',
    type: 'image/png',
  };
  const big = { bytes: randomBytes(BIG), name: 'archive.bin', type: 'application/octet-stream' };
  const imageId = await upload(cairn.clientUrl, alice.token, cairnName, image);
  const bigId = await upload(cairn.clientUrl, alice.token, cairnName, big);
  const synapseUrl = (kind: string, id: string, query = '') =>
    `${synapse.clientUrl}/_matrix/client/v1/media/${kind}/${enc(cairnName)}/${enc(id)}${query}`;

  for (const [file, id] of [
    [image, imageId],
    [big, bigId],
  ] as const) {
    const got = await get(synapseUrl('download', id), sam.accessToken);
    assert.equal(got.status, 200, `${got.bytes.subarray(0, 300).toString()}\n${synapse.logTail()}`);
    assert.equal(got.bytes.length, file.bytes.length);
    assert.equal(sha256(got.bytes), sha256(file.bytes));
    assert.equal(got.headers.get('content-type'), file.type);
    assert.equal(fileNameOfDisposition(got.headers.get('content-disposition') ?? ''), file.name);
  }
  // Synapse asked Cairn's federation endpoint (not the legacy one), once per file.
  assert.equal(await federationCount('/_matrix/federation/v1/media/download/:mediaId', 200), 2);

  // Synapse makes thumbnails of remote media from its own copy of the whole file.
  const thumb = await get(
    synapseUrl('thumbnail', imageId, '?width=96&height=96&method=crop'),
    sam.accessToken,
  );
  await assertThumbnail(thumb, 'Synapse thumbnail of Cairn media');

  const missing = await get(synapseUrl('download', 'NoSuchMediaOnCairn1'), sam.accessToken);
  assert.equal(missing.status, 404, missing.bytes.toString());
});

test("a Cairn user downloads Synapse's media through Cairn, byte-identical with its name", async (t) => {
  if (skipUnlessSynapse(t)) return;
  const image = {
    bytes: await pngImage({ r: 220, g: 120, b: 0 }),
    name: 'sunset.png',
    type: 'image/png',
  };
  const big = { bytes: randomBytes(BIG), name: 'data set.bin', type: 'application/octet-stream' };
  const imageId = await upload(synapse.clientUrl, sam.accessToken, synapse.serverName, image);
  const bigId = await upload(synapse.clientUrl, sam.accessToken, synapse.serverName, big);
  const cairnUrl = (kind: string, id: string, query = '') =>
    `${cairn.clientUrl}/_matrix/client/v1/media/${kind}/${enc(synapse.serverName)}/${enc(id)}${query}`;

  // The thumbnail first: Cairn has not cached the image, so it asks Synapse's federation
  // thumbnail endpoint and reads Synapse's multipart/mixed thumbnail reply.
  const thumb = await get(
    cairnUrl('thumbnail', imageId, '?width=96&height=96&method=crop'),
    alice.token,
  );
  await assertThumbnail(thumb, 'Cairn thumbnail of Synapse media');
  // Synapse's access log shows the request; the image itself had not been asked for yet.
  const asked = (kind: string) =>
    readFileSync(synapse.logPath, 'utf8').includes(
      ` 200 "GET /_matrix/federation/v1/media/${kind}/${imageId}`,
    );
  await untilLogged(() => asked('thumbnail'));
  assert.ok(!asked('download'), synapse.logTail());

  const gotImage = await get(cairnUrl('download', imageId), alice.token);
  assert.equal(gotImage.status, 200, `${gotImage.bytes.toString()}\n${synapse.logTail()}`);
  assert.deepEqual(gotImage.bytes, image.bytes);
  assert.equal(gotImage.headers.get('content-type'), 'image/png');
  assert.equal(gotImage.headers.get('content-disposition'), 'inline; filename="sunset.png"');

  const gotBig = await get(cairnUrl('download', bigId), alice.token);
  assert.equal(gotBig.status, 200, gotBig.bytes.subarray(0, 300).toString());
  assert.equal(gotBig.bytes.length, BIG);
  assert.equal(sha256(gotBig.bytes), sha256(big.bytes));
  assert.equal(gotBig.headers.get('content-type'), 'application/octet-stream');
  assert.equal(gotBig.headers.get('content-disposition'), 'attachment; filename="data set.bin"');

  await untilLogged(() => asked('download'));

  const missing = await get(cairnUrl('download', 'NoSuchMediaOnSynapse1'), alice.token);
  assert.equal(missing.status, 404, missing.bytes.toString());
  assert.equal(
    (JSON.parse(missing.bytes.toString()) as { errcode: string }).errcode,
    'M_NOT_FOUND',
  );
});
