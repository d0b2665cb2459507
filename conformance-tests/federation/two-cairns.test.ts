// Two Cairn servers (separate processes, databases, server names and TLS certificates) share
// rooms, driven by real matrix-js-sdk clients on each side: a join by alias through the other
// server, messages both ways (each arrives once, in order), typing and receipts, an invite of a
// user of the other server and its acceptance, and delivery of what was sent while one server
// was down once it is back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import {
  PROCESS_BACKENDS,
  registerAndStartClient,
  startClientAndWait,
  waitUntil,
} from '../support/js-sdk-clients.ts';

const WAIT_MS = 30_000;

function bodies(client: sdk.MatrixClient, roomId: string): string[] {
  return (client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
    .filter((event) => event.getType() === 'm.room.message')
    .map((event) => String(event.getContent().body));
}

for (const backend of PROCESS_BACKENDS) {
  describe(`two Cairn servers (${backend.name})`, { skip: backend.skip, timeout: 240_000 }, () => {
    test('join by alias, messages both ways, typing, receipts, invites, a server restart', async (t) => {
      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], backend.databaseUrl);
      t.after(() => federation.stopAll());
      const [hs1, hs2] = federation.servers;
      const alice = await registerAndStartClient(hs1!.process.clientUrl, 'alice');
      let bob = await registerAndStartClient(hs2!.process.clientUrl, 'bob');
      t.after(() => {
        alice.stopClient();
        bob.stopClient();
      });

      // A public room on hs1, joined from hs2 by its alias.
      const { room_id: roomId } = await alice.createRoom({
        preset: sdk.Preset.PublicChat,
        visibility: sdk.Visibility.Public,
        room_alias_name: 'lobby',
        name: 'Lobby',
      });
      for (let i = 0; i < 3; i++) await alice.sendTextMessage(roomId, `before bob ${i}`);
      await bob.joinRoom('#lobby:hs1.test');
      await waitUntil(
        () => alice.getRoom(roomId)?.getMember('@bob:hs2.test')?.membership === 'join',
        "bob's join on hs1",
        WAIT_MS,
      );
      await waitUntil(() => bob.getRoom(roomId)?.name === 'Lobby', 'the room name on hs2', WAIT_MS);

      // Queries across servers: alice's profile and hs1's room directory, from hs2.
      await alice.setDisplayName('Alice of hs1');
      assert.equal((await bob.getProfileInfo('@alice:hs1.test')).displayname, 'Alice of hs1');
      const directory = await bob.publicRooms({ server: 'hs1.test' });
      assert.deepEqual(
        directory.chunk.map((room) => room.room_id),
        [roomId],
      );

      // History from before bob's server was in the room: fetched by backfill when bob's client
      // paginates past the join (the room's history is shared).
      const history = (await bob.http.authedRequest(
        'GET' as sdk.Method,
        `/rooms/${encodeURIComponent(roomId)}/messages`,
        { dir: 'b', limit: '50' },
      )) as { chunk: { type: string; content: { body?: string } }[] };
      assert.deepEqual(
        history.chunk
          .filter((event) => event.type === 'm.room.message')
          .map((event) => event.content.body)
          .reverse(),
        ['before bob 0', 'before bob 1', 'before bob 2'],
      );
      assert.ok(
        history.chunk.some((event) => event.type === 'm.room.create'),
        'paginating back reaches the room creation',
      );

      // A conversation: each message is answered once it arrived, so both servers must show
      // the same order; then a burst from each side, in order per sender.
      const sent: string[] = [];
      for (let i = 0; i < 3; i++) {
        await alice.sendTextMessage(roomId, `alice ${i}`);
        sent.push(`alice ${i}`);
        await waitUntil(
          () => bodies(bob, roomId).includes(`alice ${i}`),
          `alice ${i} on hs2`,
          WAIT_MS,
        );
        await bob.sendTextMessage(roomId, `bob ${i}`);
        sent.push(`bob ${i}`);
        await waitUntil(
          () => bodies(alice, roomId).includes(`bob ${i}`),
          `bob ${i} on hs1`,
          WAIT_MS,
        );
      }
      assert.deepEqual(bodies(alice, roomId).slice(3), sent);
      assert.deepEqual(bodies(bob, roomId).slice(-sent.length), sent);
      const burst = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
      for (const body of burst) await alice.sendTextMessage(roomId, body);
      await waitUntil(
        () => bodies(bob, roomId).length >= sent.length + 20,
        'the burst on hs2',
        WAIT_MS,
      );
      assert.deepEqual(bodies(bob, roomId).slice(-(sent.length + 20)), [...sent, ...burst]);
      sent.push(...burst);

      // Typing and a read receipt from hs2 reach hs1.
      await bob.sendTyping(roomId, true, 20_000);
      await waitUntil(
        () => alice.getRoom(roomId)?.getMember('@bob:hs2.test')?.typing === true,
        "bob's typing on hs1",
        WAIT_MS,
      );
      const last = alice.getRoom(roomId)!.getLiveTimeline().getEvents().at(-1)!;
      const lastOnBob = bob.getRoom(roomId)!.findEventById(last.getId()!)!;
      await bob.sendReadReceipt(lastOnBob);
      await waitUntil(
        () => alice.getRoom(roomId)?.getEventReadUpTo('@bob:hs2.test') === last.getId(),
        "bob's receipt on hs1",
        WAIT_MS,
      );

      // An invite of a user of hs2 to a private room on hs1, accepted.
      const carol = await registerAndStartClient(hs2!.process.clientUrl, 'carol');
      t.after(() => carol.stopClient());
      const { room_id: privateId } = await alice.createRoom({
        preset: sdk.Preset.PrivateChat,
        name: 'Secret',
      });
      await alice.invite(privateId, '@carol:hs2.test');
      await waitUntil(
        () => carol.getRoom(privateId)?.getMyMembership() === 'invite',
        "carol's invite on hs2",
        WAIT_MS,
      );
      await waitUntil(
        () => carol.getRoom(privateId)?.name === 'Secret',
        'the invite state on hs2',
        WAIT_MS,
      );
      await carol.joinRoom(privateId);
      await carol.sendTextMessage(privateId, 'carol here');
      await waitUntil(
        () => bodies(alice, privateId).includes('carol here'),
        "carol's message on hs1",
        WAIT_MS,
      );

      // hs2 goes down; what alice sends meanwhile reaches bob once hs2 is back.
      bob.stopClient();
      const bobToken = bob.getAccessToken()!;
      const bobDevice = bob.getDeviceId()!;
      await hs2!.process.stop();
      for (let i = 0; i < 3; i++) {
        await alice.sendTextMessage(roomId, `while away ${i}`);
        sent.push(`while away ${i}`);
      }
      const back = await federation.restart(1);
      bob = sdk.createClient({
        baseUrl: back.process.clientUrl,
        userId: '@bob:hs2.test',
        accessToken: bobToken,
        deviceId: bobDevice,
      });
      await startClientAndWait(bob, { initialSyncLimit: 30 });
      await waitUntil(
        () => bodies(bob, roomId).includes('while away 2'),
        'queued messages on hs2',
        60_000,
      );
      assert.deepEqual(bodies(bob, roomId).slice(-3), sent.slice(-3));
    });
  });
}
