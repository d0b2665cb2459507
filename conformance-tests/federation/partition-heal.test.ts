// Partition and heal: two Cairn servers share a room; the network between them is cut (through
// relays the test controls) and each side changes the room's state meanwhile: power levels and
// a ban on one side, a topic and a kick on the other, and a message on each. Once the link is
// back, both servers must resolve the same state (state resolution over the two forks), hold the
// same members, and show both messages.
// https://spec.matrix.org/latest/rooms/v2/#state-resolution
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as sdk from 'matrix-js-sdk';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { PROCESS_BACKENDS, registerClient } from '../support/js-sdk-clients.ts';

const enc = encodeURIComponent;

async function stateOf(client: sdk.MatrixClient, roomId: string): Promise<Record<string, string>> {
  const events = (await client.http.authedRequest(
    'GET' as sdk.Method,
    `/rooms/${enc(roomId)}/state`,
  )) as { type: string; state_key: string; event_id: string }[];
  return Object.fromEntries(
    events.map((event) => [`${event.type}|${event.state_key}`, event.event_id]).sort(),
  );
}

async function messagesOf(client: sdk.MatrixClient, roomId: string): Promise<string[]> {
  const page = (await client.http.authedRequest(
    'GET' as sdk.Method,
    `/rooms/${enc(roomId)}/messages`,
    { dir: 'b', limit: '100' },
  )) as { chunk: { type: string; content: { body?: string } }[] };
  return page.chunk
    .filter((event) => event.type === 'm.room.message')
    .map((event) => String(event.content.body))
    .sort();
}

async function eventually(check: () => Promise<boolean>, what: string, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

for (const backend of PROCESS_BACKENDS) {
  describe(`partition and heal (${backend.name})`, { skip: backend.skip, timeout: 240_000 }, () => {
    test('both sides change state while cut off; after healing they agree', async (t) => {
      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], backend.databaseUrl, {
        relays: true,
      });
      t.after(() => federation.stopAll());
      const [hs1, hs2] = federation.servers.map((server) => server.process.clientUrl);
      const alice = await registerClient(hs1!, 'alice');
      const charlie = await registerClient(hs1!, 'charlie');
      const bob = await registerClient(hs2!, 'bob');
      const dave = await registerClient(hs2!, 'dave');

      const { room_id: roomId } = await alice.createRoom({
        preset: 'public_chat' as sdk.Preset,
        power_level_content_override: { users: { '@alice:hs1.test': 100, '@bob:hs2.test': 50 } },
      });
      await charlie.joinRoom(roomId);
      await bob.joinRoom(roomId, { viaServers: ['hs1.test'] });
      await dave.joinRoom(roomId, { viaServers: ['hs1.test'] });
      await eventually(
        async () =>
          JSON.stringify(await stateOf(alice, roomId)) ===
          JSON.stringify(await stateOf(bob, roomId)),
        'the same state before the partition',
        30_000,
      );

      federation.partition(true);
      // hs1's side: power levels (bob down to 0) and a ban of dave.
      await alice.setPowerLevel(roomId, '@bob:hs2.test', 0);
      await alice.ban(roomId, '@dave:hs2.test', 'partition test');
      await alice.sendTextMessage(roomId, 'from hs1 during the partition');
      // hs2's side: a topic and a kick of charlie, by bob while hs2 still thinks he may.
      await bob.setRoomTopic(roomId, 'set on hs2 during the partition');
      await bob.kick(roomId, '@charlie:hs1.test', 'partition test');
      await bob.sendTextMessage(roomId, 'from hs2 during the partition');
      federation.partition(false);

      // Events cross in both directions; a message from each side then merges the forks.
      await eventually(
        async () =>
          (await messagesOf(alice, roomId)).length === 2 &&
          (await messagesOf(bob, roomId)).length === 2,
        'the partition messages on both sides',
        90_000,
      );
      await alice.sendTextMessage(roomId, 'after healing');
      let ours: Record<string, string> = {};
      let theirs: Record<string, string> = {};
      await eventually(
        async () => {
          ours = await stateOf(alice, roomId);
          theirs = await stateOf(bob, roomId);
          return JSON.stringify(ours) === JSON.stringify(theirs);
        },
        'both servers to resolve the same state',
        60_000,
      ).catch(() => assert.deepEqual(ours, theirs));
      assert.deepEqual(ours, theirs);
      // Bob lost his power on hs1's side: the state resolution orders alice's power levels
      // change (by the more powerful sender) first, so bob's topic and kick no longer pass.
      const members = await alice.getJoinedRoomMembers(roomId);
      const bobsView = await bob.getJoinedRoomMembers(roomId);
      assert.deepEqual(Object.keys(members.joined).sort(), Object.keys(bobsView.joined).sort());
      assert.ok(!('@dave:hs2.test' in members.joined), 'dave is banned on both');
      assert.ok('@charlie:hs1.test' in members.joined, "bob's kick did not survive resolution");
      assert.equal(ours['m.room.topic|'], undefined, "nor did bob's topic");
      assert.deepEqual(await messagesOf(alice, roomId), await messagesOf(bob, roomId));
      assert.deepEqual(await messagesOf(alice, roomId), [
        'after healing',
        'from hs1 during the partition',
        'from hs2 during the partition',
      ]);
    });
  });
}
