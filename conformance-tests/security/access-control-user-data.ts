// The access-control matrix over one user's own data (access-control-matrix.test.ts): Bob asks
// for, changes or deletes what is Alice's (account data, devices, profile, presence, push rules,
// filters, device keys, key backups), and each answer is the spec's refusal; then Alice's data is
// read back unchanged. Media is not room-scoped in Matrix (any signed-in user may download an
// mxc), so only the refusal without a token is checked there. Last, the endpoints Cairn does not
// serve answer as unknown, so that serving one makes the matrix ask for its cells.
import assert from 'node:assert/strict';
import type { CallResult, ClientHarness, TestAccount } from '../support/client-harness.ts';
import { TEST_PASSWORD } from '../support/client-harness.ts';
import { TEST_SERVER_NAME } from '../support/databases.ts';
import { roomClient } from '../support/room-client.ts';

const V3 = '/_matrix/client/v3';
const enc = encodeURIComponent;
const ALGORITHM = 'm.megolm_backup.v1.curve25519-aes-sha2';

interface Cell {
  name: string;
  as: TestAccount | undefined;
  method: string;
  url: string;
  body?: unknown;
  status: number;
  errcode?: string;
  check?: (result: CallResult) => void;
}

async function run(client: ClientHarness, cells: Cell[]): Promise<number> {
  for (const cell of cells) {
    const result = await client.call(cell.method, cell.url, {
      ...(cell.as ? { token: cell.as.accessToken } : {}),
      body: cell.body,
    });
    const shown = `${cell.name}: ${JSON.stringify(result.body)?.slice(0, 600)}`;
    assert.equal(result.status, cell.status, shown);
    if (cell.errcode) assert.equal(result.body?.errcode, cell.errcode, shown);
    cell.check?.(result);
  }
  return cells.length;
}

async function ok(
  client: ClientHarness,
  as: TestAccount,
  method: string,
  url: string,
  body?: unknown,
) {
  const result = await client.call(method, url, { token: as.accessToken, body });
  assert.equal(result.status, 200, `${method} ${url}: ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function checkUserDataCells(client: ClientHarness): Promise<number> {
  const alice = await client.newAccount('alice', { deviceId: 'ALICEDEV' });
  const bob = await client.newAccount('bob', { deviceId: 'BOBDEV' });
  const roomId = await roomClient(client).createRoom(alice, { preset: 'private_chat' });
  const aliceData = `${V3}/user/${enc(alice.userId)}/account_data/org.example.secret`;
  await ok(client, alice, 'PUT', aliceData, { secret: 'alice-only' });
  await ok(client, alice, 'PUT', `${V3}/devices/ALICEDEV`, { display_name: 'Alice laptop' });
  const rule = `${V3}/pushrules/global/content/alice.secret`;
  await ok(client, alice, 'PUT', rule, { pattern: 'alice-secret', actions: ['notify'] });
  const filterId = (
    await ok(client, alice, 'POST', `${V3}/user/${enc(alice.userId)}/filter`, {
      room: { timeline: { limit: 7 } },
    })
  ).filter_id as string;
  const backup = await ok(client, alice, 'POST', `${V3}/room_keys/version`, {
    algorithm: ALGORITHM,
    auth_data: { public_key: 'alice-backup-key', signatures: {} },
  });
  const session = `${V3}/room_keys/keys/${enc(roomId)}/alice-session?version=${backup.version}`;
  await ok(client, alice, 'PUT', session, {
    first_message_index: 0,
    forwarded_count: 0,
    is_verified: true,
    session_data: { ephemeral: 'e', ciphertext: 'alice-ciphertext', mac: 'm' },
  });

  // Deleting devices asks for the password first; Bob gives his own.
  const challenge = await client.call('DELETE', `${V3}/devices/ALICEDEV`, {
    token: bob.accessToken,
    body: {},
  });
  assert.equal(challenge.status, 401);
  const bobAuth = (session: string) => ({
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: bob.userId },
    password: TEST_PASSWORD,
    session,
  });

  const forbidden = (name: string, method: string, url: string, body?: unknown): Cell => ({
    name,
    as: bob,
    method,
    url,
    body,
    status: 403,
    errcode: 'M_FORBIDDEN',
  });
  const notFound = (name: string, method: string, url: string, body?: unknown): Cell => ({
    name,
    as: bob,
    method,
    url,
    body,
    status: 404,
    errcode: 'M_NOT_FOUND',
  });
  const aliceDevice = `${V3}/devices/ALICEDEV`;
  const bobKeys = (userId: string, deviceId: string) => ({
    device_keys: {
      user_id: userId,
      device_id: deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2'],
      keys: { [`ed25519:${deviceId}`]: 'AAAA', [`curve25519:${deviceId}`]: 'BBBB' },
      signatures: {},
    },
  });
  let cells = await run(client, [
    forbidden("GET another user's account data", 'GET', aliceData),
    forbidden("PUT another user's account data", 'PUT', aliceData, { secret: 'bob' }),
    // Device ids name devices of the requester only: someone else's is no device of theirs.
    notFound("GET another user's device", 'GET', aliceDevice),
    notFound("PUT (rename) another user's device", 'PUT', aliceDevice, { display_name: 'x' }),
    {
      name: "GET /devices lists only one's own",
      as: bob,
      method: 'GET',
      url: `${V3}/devices`,
      status: 200,
      check: ({ body }) =>
        assert.deepEqual(
          body.devices.map((d: { device_id: string }) => d.device_id),
          ['BOBDEV'],
        ),
    },
    // "The device was successfully removed, or had been removed previously": Bob has no such
    // device, so nothing of Alice's goes (checked below).
    {
      name: "DELETE another user's device",
      as: bob,
      method: 'DELETE',
      url: aliceDevice,
      body: { auth: bobAuth(challenge.body.session) },
      status: 200,
    },
    forbidden(
      "PUT another user's display name",
      'PUT',
      `${V3}/profile/${enc(alice.userId)}/displayname`,
      {
        displayname: 'bob was here',
      },
    ),
    forbidden("PUT another user's avatar", 'PUT', `${V3}/profile/${enc(alice.userId)}/avatar_url`, {
      avatar_url: 'mxc://example.org/bob',
    }),
    forbidden("PUT another user's presence", 'PUT', `${V3}/presence/${enc(alice.userId)}/status`, {
      presence: 'offline',
    }),
    forbidden(
      'GET the presence of a user sharing no room',
      'GET',
      `${V3}/presence/${enc(alice.userId)}/status`,
    ),
    notFound("GET another user's push rule", 'GET', rule),
    {
      name: "GET /pushrules holds only one's own",
      as: bob,
      method: 'GET',
      url: `${V3}/pushrules/`,
      status: 200,
      check: ({ body }) => assert.ok(!JSON.stringify(body).includes('alice')),
    },
    forbidden(
      'POST a filter for another user',
      'POST',
      `${V3}/user/${enc(alice.userId)}/filter`,
      {},
    ),
    forbidden(
      "GET another user's filter",
      'GET',
      `${V3}/user/${enc(alice.userId)}/filter/${filterId}`,
    ),
    notFound(
      "GET another user's filter id as one's own",
      'GET',
      `${V3}/user/${enc(bob.userId)}/filter/${filterId}`,
    ),
    {
      name: "POST /keys/upload of device keys in another user's name",
      as: bob,
      method: 'POST',
      url: `${V3}/keys/upload`,
      body: bobKeys(alice.userId, 'ALICEDEV'),
      status: 400,
      errcode: 'M_INVALID_PARAM',
    },
    {
      name: "POST /keys/upload of device keys for another user's device id",
      as: bob,
      method: 'POST',
      url: `${V3}/keys/upload`,
      body: bobKeys(bob.userId, 'ALICEDEV'),
      status: 400,
      errcode: 'M_INVALID_PARAM',
    },
    // Backup versions are numbered per user: Bob has none, whatever Alice has.
    notFound('GET the current key backup, having none', 'GET', `${V3}/room_keys/version`),
    notFound(
      "GET another user's backup version",
      'GET',
      `${V3}/room_keys/version/${backup.version}`,
    ),
    notFound(
      "GET another user's backed-up keys",
      'GET',
      `${V3}/room_keys/keys?version=${backup.version}`,
    ),
    notFound("PUT keys into another user's backup", 'PUT', session, {
      first_message_index: 0,
      forwarded_count: 0,
      is_verified: false,
      session_data: { ephemeral: 'e', ciphertext: 'bob', mac: 'm' },
    }),
    notFound(
      "DELETE another user's backup version",
      'DELETE',
      `${V3}/room_keys/version/${backup.version}`,
    ),
  ]);

  // A second challenge for the bulk delete, again with Bob's own password.
  const bulk = await client.call('POST', `${V3}/delete_devices`, {
    token: bob.accessToken,
    body: { devices: ['ALICEDEV'] },
  });
  assert.equal(bulk.status, 401);
  cells += await run(client, [
    {
      name: "POST /delete_devices naming another user's device",
      as: bob,
      method: 'POST',
      url: `${V3}/delete_devices`,
      body: { devices: ['ALICEDEV'], auth: bobAuth(bulk.body.session) },
      status: 200,
    },
  ]);

  // Alice's data is as she left it.
  assert.deepEqual(await ok(client, alice, 'GET', aliceData), { secret: 'alice-only' });
  assert.equal((await ok(client, alice, 'GET', aliceDevice)).display_name, 'Alice laptop');
  assert.equal((await ok(client, alice, 'GET', `${V3}/account/whoami`)).device_id, 'ALICEDEV');
  const profile = await ok(client, alice, 'GET', `${V3}/profile/${enc(alice.userId)}`);
  assert.equal(profile.displayname, 'alice');
  assert.equal((await ok(client, alice, 'GET', rule)).pattern, 'alice-secret');
  const filter = await ok(
    client,
    alice,
    'GET',
    `${V3}/user/${enc(alice.userId)}/filter/${filterId}`,
  );
  assert.equal(filter.room.timeline.limit, 7);
  const keys = await ok(client, alice, 'GET', `${V3}/room_keys/keys?version=${backup.version}`);
  assert.equal(
    keys.rooms[roomId].sessions['alice-session'].session_data.ciphertext,
    'alice-ciphertext',
  );
  const bobSync = await ok(client, bob, 'GET', `${V3}/sync?timeout=0`);
  assert.ok(!JSON.stringify(bobSync).includes('alice-only'), "Bob's sync holds Alice's data");

  cells += await checkMedia(client, alice, bob);
  cells += await checkUnserved(client, alice, roomId);
  return cells;
}

/** Media is for signed-in users: no token, no download, thumbnail or upload. */
async function checkMedia(
  client: ClientHarness,
  alice: TestAccount,
  bob: TestAccount,
): Promise<number> {
  const upload = await client.app.inject({
    method: 'POST',
    url: '/_matrix/media/v3/upload',
    headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'text/plain' },
    payload: Buffer.from('alice media'),
  });
  assert.equal(upload.statusCode, 200, upload.body);
  const mediaId = (upload.json().content_uri as string).slice('mxc://'.length);
  const download = `/_matrix/client/v1/media/download/${mediaId}`;
  const raw = async (url: string, token?: string, method: 'GET' | 'POST' = 'GET') => {
    const response = await client.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: response.statusCode, text: response.body };
  };
  const missing = (result: { status: number; text: string }, what: string) => {
    assert.equal(result.status, 401, what);
    assert.equal(JSON.parse(result.text).errcode, 'M_MISSING_TOKEN', what);
  };
  missing(await raw(download), 'download without a token');
  missing(await raw(`/_matrix/client/v1/media/thumbnail/${mediaId}?width=8&height=8`), 'thumbnail');
  missing(await raw('/_matrix/media/v3/upload', undefined, 'POST'), 'upload without a token');
  missing(await raw('/_matrix/media/v1/create', undefined, 'POST'), 'create without a token');
  const unknown = await raw(download, 'not-a-token');
  assert.equal(unknown.status, 401);
  assert.equal(JSON.parse(unknown.text).errcode, 'M_UNKNOWN_TOKEN');
  // Not room-scoped: any signed-in user may fetch an mxc they were told of.
  const byBob = await raw(download, bob.accessToken);
  assert.deepEqual([byBob.status, byBob.text], [200, 'alice media']);
  // The deprecated unauthenticated download serves only while the operator keeps it on.
  const legacy = await raw(`/_matrix/media/v3/download/${mediaId}`);
  assert.equal(legacy.status, client.ctx.config.mediaLegacyDownload ? 200 : 404);
  // Someone else's pending upload (POST /create) is theirs to fill.
  const created = await client.call('POST', '/_matrix/media/v1/create', {
    token: alice.accessToken,
  });
  const pending = (created.body.content_uri as string).slice(`mxc://${TEST_SERVER_NAME}/`.length);
  const intrude = await client.app.inject({
    method: 'PUT',
    url: `/_matrix/media/v3/upload/${TEST_SERVER_NAME}/${pending}`,
    headers: { authorization: `Bearer ${bob.accessToken}`, 'content-type': 'text/plain' },
    payload: Buffer.from('bob'),
  });
  assert.equal(intrude.statusCode, 403, intrude.body);
  assert.equal(intrude.json().errcode, 'M_FORBIDDEN');
  return 8;
}

/** Endpoints Cairn does not serve: when one is served, it needs its row in the matrix. */
async function checkUnserved(
  client: ClientHarness,
  alice: TestAccount,
  roomId: string,
): Promise<number> {
  const room = `${V3}/rooms/${enc(roomId)}`;
  const unserved: [string, string][] = [
    ['POST', `${V3}/search`],
    ['GET', `${V3}/notifications`],
    ['GET', `${V3}/user/${enc(alice.userId)}/rooms/${enc(roomId)}/tags`],
    ['GET', `${room}/initialSync`],
    ['GET', `${V3}/initialSync`],
    ['GET', `/_matrix/client/v1/rooms/${enc(roomId)}/timestamp_to_event?ts=0&dir=f`],
    ['GET', `${V3}/events?room_id=${enc(roomId)}`],
  ];
  for (const [method, url] of unserved) {
    const result = await client.call(method, url, {
      token: alice.accessToken,
      ...(method === 'POST' ? { body: {} } : {}),
    });
    assert.equal(result.status, 404, `${method} ${url} is served now: add it to the matrix`);
    assert.equal(result.body.errcode, 'M_UNRECOGNIZED');
  }
  return unserved.length;
}
