// Cairn and a real Synapse share rooms, for room versions 10, 11 and 12: a Cairn user (a
// matrix-js-sdk client) joins a room created on Synapse, a Synapse user joins a room created on
// Cairn, messages flow both ways, and both servers end with the same room state.
// https://spec.matrix.org/latest/server-server-api/#joining-rooms
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import type * as sdk from 'matrix-js-sdk';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { registerAndStartClient, waitUntil } from '../support/js-sdk-clients.ts';
import {
  cairnEnvForSynapse,
  type SynapsePeer,
  type SynapseUser,
  startSynapse,
  synapseAvailability,
} from '../support/synapse-peer.ts';

const availability = synapseAvailability();
const WAIT_MS = 30_000;
let synapse: SynapsePeer;
let cairn: CairnProcess;
let cairnName: string;
let sam: SynapseUser;
let alice: sdk.MatrixClient;

before(async () => {
  if (!availability.ok) return;
  synapse = await startSynapse();
  const peer = await cairnEnvForSynapse(synapse);
  cairnName = peer.serverName;
  cairn = await startCairn(
    testEnv(newDataDir(), { ...peer.env, CAIRN_ENABLE_REGISTRATION: 'true' }),
  );
  sam = await synapse.registerUser('sam', 'sam-password-123');
  alice = await registerAndStartClient(cairn.clientUrl, 'alice');
});

after(async () => {
  alice?.stopClient();
  await cairn?.stop();
  await synapse?.stop();
});

function skipUnlessSynapse(t: TestContext): boolean {
  if (availability.ok) return false;
  t.skip(availability.reason);
  return true;
}

const enc = encodeURIComponent;

/** A call to Synapse's client API as sam. */
async function samCall(method: string, path: string, body?: unknown) {
  const response = await fetch(`${synapse.clientUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${sam.accessToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`Synapse ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function samSees(roomId: string, body: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const page = await samCall(
      'GET',
      `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`,
    );
    const chunk = page.chunk as { type: string; content: { body?: string } }[];
    if (chunk.some((event) => event.type === 'm.room.message' && event.content.body === body))
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Synapse never showed "${body}"\n${synapse.logTail(30)}`);
}

function aliceSees(roomId: string, body: string): Promise<void> {
  return waitUntil(
    () =>
      (alice.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).some(
        (event) => event.getType() === 'm.room.message' && event.getContent().body === body,
      ),
    `"${body}" in alice's client`,
    WAIT_MS,
  );
}

/** The room's state as event ids by (type, state_key), from a client API /state answer. */
function stateIds(events: { type: string; state_key: string; event_id: string }[]) {
  return Object.fromEntries(
    events.map((event) => [`${event.type}|${event.state_key}`, event.event_id]),
  );
}

async function assertSameState(roomId: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let ours: Record<string, string> = {};
  let theirs: Record<string, string> = {};
  while (Date.now() < deadline) {
    const response = await fetch(
      `${cairn.clientUrl}/_matrix/client/v3/rooms/${enc(roomId)}/state`,
      {
        headers: { authorization: `Bearer ${alice.getAccessToken()}` },
      },
    );
    ours = stateIds((await response.json()) as never);
    theirs = stateIds(
      (await samCall('GET', `/_matrix/client/v3/rooms/${enc(roomId)}/state`)) as never,
    );
    if (
      JSON.stringify(Object.entries(ours).sort()) === JSON.stringify(Object.entries(theirs).sort())
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.deepEqual(ours, theirs);
}

for (const version of ['10', '11', '12']) {
  test(`room version ${version}: a Cairn user joins a room made on Synapse`, async (t) => {
    if (skipUnlessSynapse(t)) return;
    const created = await samCall('POST', '/_matrix/client/v3/createRoom', {
      preset: 'public_chat',
      room_version: version,
      name: `Synapse room v${version}`,
    });
    const roomId = String(created.room_id);
    await alice.joinRoom(roomId, { viaServers: [synapse.serverName] });
    await samCall(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t${version}a`,
      {
        msgtype: 'm.text',
        body: `from synapse v${version}`,
      },
    );
    await aliceSees(roomId, `from synapse v${version}`);
    await alice.sendTextMessage(roomId, `from cairn v${version}`);
    await samSees(roomId, `from cairn v${version}`);
    assert.equal(alice.getRoom(roomId)?.name, `Synapse room v${version}`);
    await assertSameState(roomId);
  });

  test(`room version ${version}: a Synapse user joins a room made on Cairn`, async (t) => {
    if (skipUnlessSynapse(t)) return;
    const { room_id: roomId } = await alice.createRoom({
      preset: 'public_chat' as sdk.Preset,
      room_version: version,
      name: `Cairn room v${version}`,
    });
    await samCall(
      'POST',
      `/_matrix/client/v3/join/${enc(roomId)}?server_name=${enc(cairnName)}`,
      {},
    );
    await waitUntil(
      () => alice.getRoom(roomId)?.getMember(sam.userId)?.membership === 'join',
      "sam's join in alice's client",
      WAIT_MS,
    );
    await alice.sendTextMessage(roomId, `to synapse v${version}`);
    await samSees(roomId, `to synapse v${version}`);
    await samCall(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t${version}b`,
      {
        msgtype: 'm.text',
        body: `back to cairn v${version}`,
      },
    );
    await aliceSees(roomId, `back to cairn v${version}`);
    await assertSameState(roomId);
  });
}
