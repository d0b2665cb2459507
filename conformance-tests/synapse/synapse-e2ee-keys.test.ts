// End-to-end keys between Cairn and a real Synapse: alice on Cairn and sam on Synapse share a
// room; each server answers the other's key queries (Cairn through user/devices into its device
// list cache, Synapse through user/keys/query) and one-time key claims (user/keys/claim), and a
// new device on either side reaches the other user's /sync as a device list change, carried by
// m.device_list_update EDUs both ways. Keys are real ed25519-signed objects; what comes back must
// be the uploaded object and still verify.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, type TestContext, test } from 'node:test';
import { encodeBase64 } from '../../server/core/base64.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import {
  generateSeed,
  publicKeyOf,
  signJson,
  verifyJsonSignature,
} from '../../server/core/signing.ts';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { CLIENT_PASSWORD, registerClient } from '../support/js-sdk-clients.ts';
import {
  cairnEnvForSynapse,
  type SynapsePeer,
  startSynapse,
  synapseAvailability,
} from '../support/synapse-peer.ts';

const availability = synapseAvailability();
const WAIT_MS = 30_000;
const SAM_PASSWORD = 'sam-password-123';

interface Session {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly token: string;
}

let synapse: SynapsePeer;
let cairn: CairnProcess;
let cairnName: string;

before(async () => {
  if (!availability.ok) return;
  synapse = await startSynapse();
  const peer = await cairnEnvForSynapse(synapse);
  cairnName = peer.serverName;
  cairn = await startCairn(
    testEnv(newDataDir(), { ...peer.env, CAIRN_ENABLE_REGISTRATION: 'true' }),
  );
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

async function call(session: Session, method: string, path: string, body?: unknown) {
  const response = await fetch(`${session.baseUrl}/_matrix/client/v3${path}`, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as JsonObject;
  assert.equal(
    response.status,
    200,
    `${session.baseUrl} ${method} ${path}: ${JSON.stringify(json)}`,
  );
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
  return json as any;
}

async function login(baseUrl: string, user: string, password: string): Promise<Session> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user },
      password,
    }),
  });
  const body = (await response.json()) as {
    user_id: string;
    device_id: string;
    access_token: string;
  };
  assert.equal(response.status, 200, JSON.stringify(body));
  return { baseUrl, userId: body.user_id, deviceId: body.device_id, token: body.access_token };
}

/** Device keys and two one-time keys, signed by a new ed25519 key; returns the device keys. */
async function uploadKeys(session: Session): Promise<JsonObject> {
  const seed = generateSeed(randomBytes);
  const keyId = `ed25519:${session.deviceId}`;
  const deviceKeys = signJson(
    {
      user_id: session.userId,
      device_id: session.deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
      keys: {
        [`curve25519:${session.deviceId}`]: encodeBase64(randomBytes(32)),
        [keyId]: encodeBase64(publicKeyOf(seed)),
      },
    },
    session.userId,
    keyId,
    seed,
  );
  const oneTime = Object.fromEntries(
    ['AAAAAQ', 'AAAAAg'].map((id) => [
      `signed_curve25519:${id}`,
      signJson({ key: encodeBase64(randomBytes(32)) }, session.userId, keyId, seed),
    ]),
  );
  const uploaded = await call(session, 'POST', '/keys/upload', {
    device_keys: deviceKeys,
    one_time_keys: oneTime,
  });
  assert.equal(uploaded.one_time_key_counts.signed_curve25519, 2);
  return deviceKeys;
}

/** The other user's device keys as the asker's server returns them, once it has them all. */
async function queriedDevices(asker: Session, userId: string, want: number) {
  const deadline = Date.now() + WAIT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    const body = await call(asker, 'POST', '/keys/query', { device_keys: { [userId]: [] } });
    last = body;
    const devices = (body.device_keys?.[userId] ?? {}) as Record<string, JsonObject>;
    if (Object.keys(devices).length >= want) return devices;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(
    `${asker.userId} never saw ${want} devices of ${userId}: ${JSON.stringify(last)}`,
  );
}

async function syncUntilChanged(session: Session, since: string, userId: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  let token = since;
  while (Date.now() < deadline) {
    const body = await call(session, 'GET', `/sync?since=${token}&timeout=2000`);
    token = body.next_batch;
    if ((body.device_lists?.changed ?? []).includes(userId)) return token;
  }
  throw new Error(`${session.userId} never saw ${userId} in device_lists.changed`);
}

function assertSameKeys(got: JsonObject | undefined, uploaded: JsonObject): void {
  assert.ok(got, 'the device is listed');
  const { unsigned: _unsigned, ...rest } = got;
  assert.deepEqual(rest.keys, uploaded.keys);
  const deviceId = String(uploaded.device_id);
  const publicKey = (uploaded.keys as Record<string, string>)[`ed25519:${deviceId}`]!;
  assert.ok(verifyJsonSignature(rest, String(uploaded.user_id), `ed25519:${deviceId}`, publicKey));
}

test("Cairn and Synapse users query and claim each other's keys and follow new devices", async (t) => {
  if (skipUnlessSynapse(t)) return;
  const client = await registerClient(cairn.clientUrl, 'alice');
  const alice: Session = {
    baseUrl: cairn.clientUrl,
    userId: client.getUserId()!,
    deviceId: client.getDeviceId()!,
    token: client.getAccessToken()!,
  };
  const samUser = await synapse.registerUser('sam', SAM_PASSWORD);
  const sam = await login(synapse.clientUrl, samUser.userId, SAM_PASSWORD);
  const aliceKeys = await uploadKeys(alice);
  const samKeys = await uploadKeys(sam);

  const { room_id: roomId } = await call(alice, 'POST', '/createRoom', {
    preset: 'private_chat',
    invite: [sam.userId],
  });
  const aliceSince = (await call(alice, 'GET', '/sync?timeout=0')).next_batch;
  const samSince = (await call(sam, 'GET', '/sync?timeout=0')).next_batch;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const joined = await fetch(
      `${synapse.clientUrl}/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(cairnName)}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${sam.token}`, 'content-type': 'application/json' },
        body: '{}',
      },
    );
    if (joined.ok) break;
    if (Date.now() > deadline) throw new Error(`sam could not join: ${await joined.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  // Each server answers for its own user.
  assertSameKeys((await queriedDevices(alice, sam.userId, 1))[sam.deviceId], samKeys);
  assertSameKeys((await queriedDevices(sam, alice.userId, 1))[alice.deviceId], aliceKeys);

  // One-time keys over federation, each handed out once.
  const claim = async (asker: Session, owner: Session) => {
    const body = await call(asker, 'POST', '/keys/claim', {
      one_time_keys: { [owner.userId]: { [owner.deviceId]: 'signed_curve25519' } },
    });
    return Object.keys(body.one_time_keys?.[owner.userId]?.[owner.deviceId] ?? {});
  };
  const fromSynapse = [...(await claim(alice, sam)), ...(await claim(alice, sam))];
  assert.deepEqual(fromSynapse.sort(), ['signed_curve25519:AAAAAQ', 'signed_curve25519:AAAAAg']);
  const fromCairn = [...(await claim(sam, alice)), ...(await claim(sam, alice))];
  assert.deepEqual(fromCairn.sort(), ['signed_curve25519:AAAAAQ', 'signed_curve25519:AAAAAg']);

  // A new device on Synapse reaches alice as a device list change; and the other way round.
  await syncUntilChanged(alice, aliceSince, sam.userId);
  const afterJoin = (await call(alice, 'GET', '/sync?timeout=0')).next_batch;
  const sam2 = await login(synapse.clientUrl, sam.userId, SAM_PASSWORD);
  const sam2Keys = await uploadKeys(sam2);
  await syncUntilChanged(alice, afterJoin, sam.userId);
  assertSameKeys((await queriedDevices(alice, sam.userId, 2))[sam2.deviceId], sam2Keys);

  await syncUntilChanged(sam, samSince, alice.userId);
  const samAfter = (await call(sam, 'GET', '/sync?timeout=0')).next_batch;
  const alice2 = await login(cairn.clientUrl, alice.userId, CLIENT_PASSWORD);
  const alice2Keys = await uploadKeys(alice2);
  await syncUntilChanged(sam, samAfter, alice.userId);
  assertSameKeys((await queriedDevices(sam, alice.userId, 2))[alice2.deviceId], alice2Keys);
});
