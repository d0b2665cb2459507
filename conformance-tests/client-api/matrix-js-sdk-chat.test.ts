// Issue 4 as real clients see it: `cairn start` as a process, several matrix-js-sdk clients
// syncing. Rooms of every preset, invites and joins, 200 messages sent concurrently arriving once
// and in one order everywhere, back-pagination over the whole history, edits, reactions,
// redactions, typing, receipts, and kicked, banned and never-joined users seeing nothing more.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import { dropScratchDatabase } from '../support/databases.ts';
import {
  PROCESS_BACKENDS,
  registerAndStartClient,
  startClientAndWait,
  waitUntil,
} from '../support/js-sdk-clients.ts';

const MESSAGES = 200;

// Detached: a client's own messages enter the timeline when sync returns them, not at the local
// echo, so every client's timeline is in the server's order and can be compared.
const START_OPTIONS = {
  initialSyncLimit: 20,
  lazyLoadMembers: true,
  pendingEventOrdering: sdk.PendingEventOrdering.Detached,
};

/** Resolves when `predicate` holds about the client's synced state; fails after `ms`. */
function waitFor(
  _client: sdk.MatrixClient,
  predicate: () => boolean,
  what: string,
  ms = 60_000,
): Promise<void> {
  return waitUntil(predicate, what, ms);
}

function liveBodies(client: sdk.MatrixClient, roomId: string): string[] {
  const room = client.getRoom(roomId);
  return (room?.getLiveTimeline().getEvents() ?? [])
    .filter((e) => e.getType() === 'm.room.message' && !e.isRelation())
    .map((e) => e.getContent().body as string);
}

for (const backend of PROCESS_BACKENDS) {
  describe(`matrix-js-sdk clients chat through cairn start on ${backend.name}`, {
    skip: backend.skip,
  }, () => {
    let server: CairnProcess;
    let databaseUrl: string | undefined;
    let alice: sdk.MatrixClient;
    let bob: sdk.MatrixClient;
    let carol: sdk.MatrixClient;
    let eve: sdk.MatrixClient;

    before(async () => {
      databaseUrl = await backend.databaseUrl();
      server = await startCairn(
        testEnv(newDataDir(), {
          CAIRN_SERVER_NAME: 'cairn.test',
          CAIRN_ENABLE_REGISTRATION: 'true',
          ...(databaseUrl ? { CAIRN_DATABASE_URL: databaseUrl } : {}),
        }),
      );
      const clients = await Promise.all(
        ['alice', 'bob', 'carol', 'eve'].map((name) =>
          registerAndStartClient(server.clientUrl, name, START_OPTIONS),
        ),
      );
      [alice, bob, carol, eve] = clients as [
        sdk.MatrixClient,
        sdk.MatrixClient,
        sdk.MatrixClient,
        sdk.MatrixClient,
      ];
    });
    after(async () => {
      for (const client of [alice, bob, carol, eve]) client?.stopClient();
      await server?.stop();
      if (databaseUrl) await dropScratchDatabase(process.env.CAIRN_TEST_DATABASE_URL!, databaseUrl);
    });

    test('rooms of every preset; invites and joins reach the other clients', async () => {
      for (const preset of [
        sdk.Preset.PrivateChat,
        sdk.Preset.PublicChat,
        sdk.Preset.TrustedPrivateChat,
      ]) {
        const { room_id } = await alice.createRoom({
          preset,
          name: `room ${preset}`,
          invite: ['@bob:cairn.test'],
        });
        await waitFor(
          bob,
          () => bob.getRoom(room_id)?.getMyMembership() === 'invite',
          `bob's invite to ${preset}`,
        );
        await bob.joinRoom(room_id);
        await waitFor(
          alice,
          () => alice.getRoom(room_id)?.getMember('@bob:cairn.test')?.membership === 'join',
          `bob joined ${preset}`,
        );
        assert.equal(alice.getRoom(room_id)?.name, `room ${preset}`);
      }
    });

    test(`${MESSAGES} messages sent concurrently arrive once, in one order, at every client`, async () => {
      const { room_id: roomId } = await alice.createRoom({
        preset: sdk.Preset.PrivateChat,
        invite: ['@bob:cairn.test', '@carol:cairn.test'],
      });
      for (const client of [bob, carol]) {
        await waitFor(
          client,
          () => client.getRoom(roomId)?.getMyMembership() === 'invite',
          'invite',
        );
        await client.joinRoom(roomId);
      }
      const senders = [alice, bob, carol];
      await Promise.all(
        Array.from({ length: MESSAGES }, (_, i) =>
          senders[i % 3]!.sendTextMessage(roomId, `message ${i}`),
        ),
      );
      const expected = new Set(Array.from({ length: MESSAGES }, (_, i) => `message ${i}`));
      const orders: string[][] = [];
      for (const client of senders) {
        await waitFor(
          client,
          () => liveBodies(client, roomId).filter((b) => expected.has(b)).length >= MESSAGES,
          'all messages',
        );
        const bodies = liveBodies(client, roomId).filter((b) => expected.has(b));
        assert.equal(bodies.length, MESSAGES, 'each message exactly once');
        assert.equal(new Set(bodies).size, MESSAGES);
        orders.push(bodies);
      }
      assert.deepEqual(orders[1], orders[0], "bob sees alice's order");
      assert.deepEqual(orders[2], orders[0], "carol sees alice's order");

      // A fresh client back-paginates the whole history in the same order.
      const fresh = sdk.createClient({
        baseUrl: server.clientUrl,
        userId: carol.getUserId()!,
        accessToken: carol.getAccessToken()!,
        deviceId: carol.getDeviceId()!,
      });
      await startClientAndWait(fresh, START_OPTIONS);
      const room = fresh.getRoom(roomId)!;
      while (await fresh.scrollback(room, 50).then(() => room.oldState.paginationToken !== null)) {
        /* keep paginating until the start of the room */
      }
      const history = room
        .getLiveTimeline()
        .getEvents()
        .filter((e) => e.getType() === 'm.room.message')
        .map((e) => e.getContent().body as string);
      assert.deepEqual(history, orders[0]);
      fresh.stopClient();
    });

    test('edits, reactions, redactions, typing and read receipts reach the other client', async () => {
      const { room_id: roomId } = await alice.createRoom({
        preset: sdk.Preset.TrustedPrivateChat,
        invite: ['@bob:cairn.test'],
      });
      await waitFor(bob, () => bob.getRoom(roomId)?.getMyMembership() === 'invite', 'invite');
      await bob.joinRoom(roomId);
      const { event_id: original } = await alice.sendTextMessage(roomId, 'helo');
      await alice.sendMessage(roomId, {
        msgtype: 'm.text',
        body: '* hello',
        'm.new_content': { msgtype: 'm.text', body: 'hello' },
        'm.relates_to': { rel_type: 'm.replace', event_id: original },
      } as never);
      await bob.sendEvent(
        roomId,
        'm.reaction' as never,
        { 'm.relates_to': { rel_type: 'm.annotation', event_id: original, key: '👍' } } as never,
      );
      const { event_id: doomed } = await alice.sendTextMessage(roomId, 'oops');
      await alice.redactEvent(roomId, doomed);
      await waitFor(
        bob,
        () => {
          const events = bob.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
          const edit = events.find((e) => e.getContent()['m.new_content']?.body === 'hello');
          const redacted = events.find((e) => e.getId() === doomed)?.isRedacted();
          return Boolean(edit && redacted);
        },
        'edit and redaction at bob',
      );
      await waitFor(
        alice,
        () =>
          (alice.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).some(
            (e) => e.getType() === 'm.reaction',
          ),
        'reaction at alice',
      );

      await bob.sendTyping(roomId, true, 10_000);
      await waitFor(
        alice,
        () => alice.getRoom(roomId)?.getMember('@bob:cairn.test')?.typing === true,
        'typing',
      );
      const last = bob.getRoom(roomId)!.getLiveTimeline().getEvents().at(-1)!;
      await bob.sendReadReceipt(last);
      await waitFor(
        alice,
        () => alice.getRoom(roomId)?.getUsersReadUpTo(last).includes('@bob:cairn.test') ?? false,
        'receipt',
      );
    });

    test('kicked and banned users stop receiving; a user who never joined sees nothing', async () => {
      const { room_id: roomId } = await alice.createRoom({
        preset: sdk.Preset.PrivateChat,
        invite: ['@bob:cairn.test', '@carol:cairn.test'],
      });
      for (const client of [bob, carol]) {
        await waitFor(
          client,
          () => client.getRoom(roomId)?.getMyMembership() === 'invite',
          'invite',
        );
        await client.joinRoom(roomId);
      }
      await alice.sendTextMessage(roomId, 'before');
      await alice.kick(roomId, '@bob:cairn.test', 'bye');
      await alice.ban(roomId, '@carol:cairn.test', 'bye');
      await waitFor(bob, () => bob.getRoom(roomId)?.getMyMembership() === 'leave', 'bob kicked');
      await waitFor(
        carol,
        () => carol.getRoom(roomId)?.getMyMembership() === 'ban',
        'carol banned',
      );
      await alice.sendTextMessage(roomId, 'after');
      // Give the secret a chance to leak, then check.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const client of [bob, carol]) {
        assert.ok(
          !liveBodies(client, roomId).includes('after'),
          `${client.getUserId()} saw a message after removal`,
        );
        // A removed user may read up to their removal, never past it.
        const visible = await client
          .createMessagesRequest(roomId, null, 50, sdk.Direction.Backward)
          .then(
            (response): unknown[] => response.chunk.map((e) => e.content?.body),
            (err: { errcode?: string }): unknown[] => {
              assert.equal(err.errcode, 'M_FORBIDDEN');
              return [];
            },
          );
        assert.ok(!visible.includes('after'), `${client.getUserId()} paginated past their removal`);
      }
      // Eve never joined: nothing through sync, messages, event, state or context.
      assert.equal(eve.getRoom(roomId), null);
      const { event_id } = await alice.sendTextMessage(roomId, 'secret');
      for (const attempt of [
        () => eve.createMessagesRequest(roomId, null, 10, sdk.Direction.Backward),
        () => eve.fetchRoomEvent(roomId, event_id),
        () => eve.roomState(roomId),
        () =>
          eve.http.authedRequest(
            sdk.Method.Get,
            `/rooms/${encodeURIComponent(roomId)}/context/${encodeURIComponent(event_id)}`,
          ),
      ]) {
        await assert.rejects(
          attempt(),
          (err: { errcode?: string }) =>
            err.errcode === 'M_FORBIDDEN' || err.errcode === 'M_NOT_FOUND',
        );
      }
    });
  });
}
