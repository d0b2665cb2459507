// Knocking and restricted joins across two Cairn servers, with matrix-js-sdk clients on each:
// a user of hs2 knocks on a room of hs1 (by alias, with no `via`), the room's admin sees the knock
// and invites them, and they join and talk; a knock retracted with a leave is gone on both sides
// (a new knock after it works, and a refusal shows on hs1); an invite rejected the same way; a
// restricted room on hs1 lets in a user of hs2 who is in the allowed room (the join authorised by
// hs1) and refuses one who is not, for room versions 10 and 12.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as sdk from 'matrix-js-sdk';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { PROCESS_BACKENDS, registerAndStartClient, waitUntil } from '../support/js-sdk-clients.ts';

const WAIT_MS = 30_000;

function bodies(client: sdk.MatrixClient, roomId: string): string[] {
  return (client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [])
    .filter((event) => event.getType() === 'm.room.message')
    .map((event) => String(event.getContent().body));
}

function membershipOf(
  client: sdk.MatrixClient,
  roomId: string,
  userId: string,
): string | undefined {
  return client.getRoom(roomId)?.getMember(userId)?.membership;
}

for (const backend of PROCESS_BACKENDS) {
  describe(`knocks and restricted joins across servers (${backend.name})`, {
    skip: backend.skip,
    timeout: 300_000,
  }, () => {
    test('knock, invite, join; a retracted knock; restricted joins allowed and refused', async (t) => {
      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], backend.databaseUrl);
      const clients: sdk.MatrixClient[] = [];
      // Clients first, so none of them syncs against a stopped server.
      t.after(async () => {
        for (const client of clients) client.stopClient();
        await federation.stopAll();
      });
      const [hs1, hs2] = federation.servers;
      const alice = await registerAndStartClient(hs1!.process.clientUrl, 'alice');
      const bob = await registerAndStartClient(hs2!.process.clientUrl, 'bob');
      const dave = await registerAndStartClient(hs2!.process.clientUrl, 'dave');
      const carol = await registerAndStartClient(hs2!.process.clientUrl, 'carol');
      clients.push(alice, bob, dave, carol);

      await t.test(
        'a knock from hs2, seen on hs1, answered with an invite, then a join',
        async () => {
          const { room_id: roomId } = await alice.createRoom({
            room_version: '10',
            name: 'Knockers',
            room_alias_name: 'knockers',
            initial_state: [
              { type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } },
            ],
          });
          // Not in the room yet: a plain join is refused by hs1's rules.
          await assert.rejects(bob.joinRoom(roomId), (err: sdk.MatrixError) => {
            assert.equal(err.errcode, 'M_FORBIDDEN');
            return true;
          });
          const knocked = await bob.knockRoom('#knockers:hs1.test', { reason: 'let me in' });
          assert.equal(knocked.room_id, roomId);
          await waitUntil(
            () => bob.getRoom(roomId)?.getMyMembership() === 'knock',
            "bob's knock in bob's sync",
            WAIT_MS,
          );
          await waitUntil(
            () => bob.getRoom(roomId)?.name === 'Knockers',
            'the knock_state on hs2',
            WAIT_MS,
          );
          await waitUntil(
            () => membershipOf(alice, roomId, '@bob:hs2.test') === 'knock',
            "bob's knock on hs1",
            WAIT_MS,
          );
          const knock = alice
            .getRoom(roomId)!
            .currentState.getStateEvents('m.room.member', '@bob:hs2.test')!;
          assert.equal(knock.getContent().reason, 'let me in');
          assert.equal(knock.getContent().displayname, 'bob');

          await alice.invite(roomId, '@bob:hs2.test');
          await waitUntil(
            () => bob.getRoom(roomId)?.getMyMembership() === 'invite',
            "bob's invite on hs2",
            WAIT_MS,
          );
          await bob.joinRoom(roomId);
          await waitUntil(
            () => membershipOf(alice, roomId, '@bob:hs2.test') === 'join',
            "bob's join on hs1",
            WAIT_MS,
          );
          await alice.sendTextMessage(roomId, 'welcome');
          await waitUntil(() => bodies(bob, roomId).includes('welcome'), 'welcome on hs2', WAIT_MS);
          await bob.sendTextMessage(roomId, 'thanks');
          await waitUntil(() => bodies(alice, roomId).includes('thanks'), 'thanks on hs1', WAIT_MS);
        },
      );

      await t.test('a knock retracted with a leave is gone on both sides', async () => {
        // Version 12: the room id names no server, the knock's stripped state must.
        const { room_id: roomId } = await alice.createRoom({
          room_version: '12',
          name: 'Door',
          initial_state: [
            { type: 'm.room.join_rules', state_key: '', content: { join_rule: 'knock' } },
          ],
        });
        await dave.knockRoom(roomId, { viaServers: ['hs1.test'] });
        await waitUntil(
          () => membershipOf(alice, roomId, '@dave:hs2.test') === 'knock',
          "dave's knock on hs1",
          WAIT_MS,
        );
        await waitUntil(
          () => dave.getRoom(roomId)?.getMyMembership() === 'knock',
          "dave's knock on hs2",
          WAIT_MS,
        );
        await dave.leave(roomId);
        await waitUntil(
          () => membershipOf(alice, roomId, '@dave:hs2.test') === 'leave',
          'the retraction on hs1',
          WAIT_MS,
        );
        await waitUntil(
          () => dave.getRoom(roomId)?.getMyMembership() === 'leave',
          "the retraction in dave's sync",
          WAIT_MS,
        );
        const onHs2 = await knockStateOf(hs2!.process.clientUrl, dave, roomId);
        assert.equal(onHs2, undefined, 'no knock left in an initial sync on hs2');

        // Knocking again after a retraction is a new knock like the first.
        await dave.knockRoom(roomId, { viaServers: ['hs1.test'] });
        await waitUntil(
          () => membershipOf(alice, roomId, '@dave:hs2.test') === 'knock',
          "dave's second knock on hs1",
          WAIT_MS,
        );
        assert.ok(await knockStateOf(hs2!.process.clientUrl, dave, roomId));

        // The admin refuses it (a kick). hs2 is not told in a way it can check (the spec leaves
        // informing the knocking server of a refusal out, MSC2403): only hs1's side is asserted.
        await alice.kick(roomId, '@dave:hs2.test', 'not today');
        await waitUntil(
          () => membershipOf(alice, roomId, '@dave:hs2.test') === 'leave',
          'the refused knock on hs1',
          WAIT_MS,
        );

        // A room hs1 does not have: 404 through the client API.
        await assert.rejects(
          dave.knockRoom('!missing:hs1.test'),
          (err: sdk.MatrixError) => err.httpStatus === 404 && err.errcode === 'M_NOT_FOUND',
        );
      });

      await t.test('an invite from hs1 rejected on hs2 (the same leave path)', async () => {
        const { room_id: roomId } = await alice.createRoom({
          preset: sdk.Preset.PrivateChat,
          name: 'Uninvited',
        });
        await alice.invite(roomId, '@carol:hs2.test');
        await waitUntil(
          () => carol.getRoom(roomId)?.getMyMembership() === 'invite',
          "carol's invite on hs2",
          WAIT_MS,
        );
        await carol.leave(roomId);
        await waitUntil(
          () => membershipOf(alice, roomId, '@carol:hs2.test') === 'leave',
          'the rejection on hs1',
          WAIT_MS,
        );
      });

      for (const version of ['10', '12']) {
        await t.test(`restricted join through hs1 (room version ${version})`, async () => {
          const { room_id: allowedId } = await alice.createRoom({
            room_version: version,
            preset: sdk.Preset.PublicChat,
            name: `Members ${version}`,
          });
          const { room_id: restrictedId } = await alice.createRoom({
            room_version: version,
            name: `Restricted ${version}`,
            initial_state: [
              {
                type: 'm.room.join_rules',
                state_key: '',
                content: {
                  join_rule: 'restricted',
                  allow: [{ type: 'm.room_membership', room_id: allowedId }],
                },
              },
            ],
          });
          await bob.joinRoom(allowedId, { viaServers: ['hs1.test'] });
          await waitUntil(
            () => membershipOf(alice, allowedId, '@bob:hs2.test') === 'join',
            "bob's join of the allowed room on hs1",
            WAIT_MS,
          );

          await bob.joinRoom(restrictedId, { viaServers: ['hs1.test'] });
          await waitUntil(
            () => membershipOf(alice, restrictedId, '@bob:hs2.test') === 'join',
            "bob's restricted join on hs1",
            WAIT_MS,
          );
          const join = alice
            .getRoom(restrictedId)!
            .currentState.getStateEvents('m.room.member', '@bob:hs2.test')!;
          assert.equal(join.getContent().join_authorised_via_users_server, alice.getUserId());
          await bob.sendTextMessage(restrictedId, `in ${version}`);
          await waitUntil(
            () => bodies(alice, restrictedId).includes(`in ${version}`),
            "bob's message in the restricted room on hs1",
            WAIT_MS,
          );

          // carol is in no allowed room: hs1 names no authoriser and the join is refused.
          await assert.rejects(
            carol.joinRoom(restrictedId, { viaServers: ['hs1.test'] }),
            (err: sdk.MatrixError) => {
              assert.equal(err.httpStatus, 403);
              assert.equal(err.errcode, 'M_FORBIDDEN');
              return true;
            },
          );
          assert.notEqual(membershipOf(alice, restrictedId, '@carol:hs2.test'), 'join');
          // A restricted room is not one to knock on.
          await assert.rejects(
            carol.knockRoom(restrictedId, { viaServers: ['hs1.test'] }),
            (err: sdk.MatrixError) => err.httpStatus === 403 && err.errcode === 'M_FORBIDDEN',
          );
        });
      }
    });
  });
}

/** The room's knock_state in a fresh initial sync of `client`'s user, straight from the server. */
async function knockStateOf(
  baseUrl: string,
  client: sdk.MatrixClient,
  roomId: string,
): Promise<unknown> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/sync`, {
    headers: { authorization: `Bearer ${client.getAccessToken()}` },
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { rooms?: { knock?: Record<string, unknown> } };
  return body.rooms?.knock?.[roomId];
}
