// End-to-end keys between Cairn and a real Synapse: alice on Cairn and sam on Synapse share a
// room; each server answers the other's key queries (Cairn through user/devices into its device
// list cache, Synapse through user/keys/query) and one-time key claims (user/keys/claim), and a
// new device on either side reaches the other user's /sync as a device list change, carried by
// m.device_list_update EDUs both ways. Keys are real ed25519-signed objects; what comes back must
// be the uploaded object and still verify.
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import type { JsonObject } from '../../server/core/pdu.ts';
import { verifyJsonSignature } from '../../server/core/signing.ts';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { CLIENT_PASSWORD, registerClient } from '../support/js-sdk-clients.ts';
import {
  clientCall,
  type KeySession,
  passwordLogin,
  syncUntilDeviceListChanged,
  uploadSignedKeys,
} from '../support/key-sessions.ts';
import {
  cairnEnvForSynapse,
  type SynapsePeer,
  startSynapse,
  synapseAvailability,
} from '../support/synapse-peer.ts';

const availability = synapseAvailability();
const WAIT_MS = 30_000;
const SAM_PASSWORD = 'sam-password-123';
const ONE_TIME_KEY_IDS = ['AAAAAQ', 'AAAAAg'];

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

/** The other user's device keys as the asker's server returns them, once it has them all. */
async function queriedDevices(asker: KeySession, userId: string, want: number) {
  const deadline = Date.now() + WAIT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    const body = await clientCall(asker, 'POST', '/keys/query', { device_keys: { [userId]: [] } });
    last = body;
    const devices = (body.device_keys?.[userId] ?? {}) as Record<string, JsonObject>;
    if (Object.keys(devices).length >= want) return devices;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(
    `${asker.userId} never saw ${want} devices of ${userId}: ${JSON.stringify(last)}`,
  );
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
  const alice: KeySession = {
    baseUrl: cairn.clientUrl,
    userId: client.getUserId()!,
    deviceId: client.getDeviceId()!,
    token: client.getAccessToken()!,
  };
  const samUser = await synapse.registerUser('sam', SAM_PASSWORD);
  const sam = await passwordLogin(synapse.clientUrl, samUser.userId, SAM_PASSWORD);
  const aliceKeys = (await uploadSignedKeys(alice, ONE_TIME_KEY_IDS)).deviceKeys;
  const samKeys = (await uploadSignedKeys(sam, ONE_TIME_KEY_IDS)).deviceKeys;

  const { room_id: roomId } = await clientCall(alice, 'POST', '/createRoom', {
    preset: 'private_chat',
    invite: [sam.userId],
  });
  const aliceSince = (await clientCall(alice, 'GET', '/sync?timeout=0')).next_batch;
  const samSince = (await clientCall(sam, 'GET', '/sync?timeout=0')).next_batch;
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
  const claim = async (asker: KeySession, owner: KeySession) => {
    const body = await clientCall(asker, 'POST', '/keys/claim', {
      one_time_keys: { [owner.userId]: { [owner.deviceId]: 'signed_curve25519' } },
    });
    return Object.keys(body.one_time_keys?.[owner.userId]?.[owner.deviceId] ?? {});
  };
  const fromSynapse = [...(await claim(alice, sam)), ...(await claim(alice, sam))];
  assert.deepEqual(fromSynapse.sort(), ['signed_curve25519:AAAAAQ', 'signed_curve25519:AAAAAg']);
  const fromCairn = [...(await claim(sam, alice)), ...(await claim(sam, alice))];
  assert.deepEqual(fromCairn.sort(), ['signed_curve25519:AAAAAQ', 'signed_curve25519:AAAAAg']);

  // A new device on Synapse reaches alice as a device list change; and the other way round.
  await syncUntilDeviceListChanged(alice, aliceSince, sam.userId, WAIT_MS);
  const afterJoin = (await clientCall(alice, 'GET', '/sync?timeout=0')).next_batch;
  const sam2 = await passwordLogin(synapse.clientUrl, sam.userId, SAM_PASSWORD);
  const sam2Keys = (await uploadSignedKeys(sam2, ONE_TIME_KEY_IDS)).deviceKeys;
  await syncUntilDeviceListChanged(alice, afterJoin, sam.userId, WAIT_MS);
  assertSameKeys((await queriedDevices(alice, sam.userId, 2))[sam2.deviceId], sam2Keys);

  await syncUntilDeviceListChanged(sam, samSince, alice.userId, WAIT_MS);
  const samAfter = (await clientCall(sam, 'GET', '/sync?timeout=0')).next_batch;
  const alice2 = await passwordLogin(cairn.clientUrl, alice.userId, CLIENT_PASSWORD);
  const alice2Keys = (await uploadSignedKeys(alice2, ONE_TIME_KEY_IDS)).deviceKeys;
  await syncUntilDeviceListChanged(sam, samAfter, alice.userId, WAIT_MS);
  assertSameKeys((await queriedDevices(sam, alice.userId, 2))[alice2.deviceId], alice2Keys);
});
