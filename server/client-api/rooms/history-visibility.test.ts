// History visibility through every read endpoint, on both databases: what a user who was invited,
// joined and left sees under shared, invited and joined history; what someone who never joined
// sees (nothing); what anyone sees of a world_readable room.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';

const MESSAGES_ONLY = encodeURIComponent(JSON.stringify({ types: ['m.room.message'] }));

async function bodies(client: ClientHarness, as: TestAccount, roomId: string, dir = 'b') {
  const seen: string[] = [];
  let from: string | undefined;
  for (let page = 0; page < 50; page++) {
    const query = `dir=${dir}&limit=4&filter=${MESSAGES_ONLY}${from ? `&from=${from}` : ''}`;
    const result = await client.call('GET', `${roomPath(roomId)}/messages?${query}`, {
      token: as.accessToken,
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    seen.push(...result.body.chunk.map((e: { content: { body: string } }) => e.content.body));
    if (result.body.end === undefined) return seen;
    from = result.body.end;
  }
  throw new Error('pagination did not end');
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: shared, invited and joined history; a departed user reads up to their leave`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await rooms.createRoom(alice, { preset: 'private_chat', name: 'History' });
      const visibility = (value: string) =>
        rooms.setState(alice, roomId, 'm.room.history_visibility', '', {
          history_visibility: value,
        });

      await rooms.send(alice, roomId, { body: 'shared, before bob' });
      await visibility('invited');
      const beforeInvite = await rooms.send(alice, roomId, { body: 'invited, before bob' });
      await rooms.setMembership(alice, roomId, bob.userId, 'invite');
      const whileInvited = await rooms.send(alice, roomId, { body: 'invited, bob invited' });
      await visibility('joined');
      const notJoinedYet = await rooms.send(alice, roomId, { body: 'joined, bob invited' });
      await rooms.setMembership(bob, roomId, bob.userId, 'join');
      await rooms.send(alice, roomId, { body: 'joined, bob joined' });
      await rooms.setState(alice, roomId, 'm.room.topic', '', { topic: 'while bob was here' });
      await rooms.setMembership(bob, roomId, bob.userId, 'leave');
      const afterLeave = await rooms.send(alice, roomId, { body: 'after bob left' });
      await rooms.setState(alice, roomId, 'm.room.topic', '', { topic: 'after bob left' });

      const everything = [
        'after bob left',
        'joined, bob joined',
        'joined, bob invited',
        'invited, bob invited',
        'invited, before bob',
        'shared, before bob',
      ];
      assert.deepEqual(await bodies(client, alice, roomId), everything);
      assert.deepEqual(await bodies(client, alice, roomId, 'f'), everything.toReversed());
      const bobSees = ['joined, bob joined', 'invited, bob invited', 'shared, before bob'];
      assert.deepEqual(await bodies(client, bob, roomId), bobSees);
      assert.deepEqual(await bodies(client, bob, roomId, 'f'), bobSees.toReversed());

      const event = (as: TestAccount, eventId: string) =>
        client.call('GET', `${roomPath(roomId)}/event/${encodeURIComponent(eventId)}`, {
          token: as.accessToken,
        });
      assert.equal((await event(bob, whileInvited)).status, 200);
      for (const hidden of [beforeInvite, notJoinedYet, afterLeave]) {
        assertError(await event(bob, hidden), 404, 'M_NOT_FOUND');
        assert.equal((await event(alice, hidden)).status, 200);
      }

      // Bob's state is the room's state when he left.
      const bobTopic = await client.call('GET', `${roomPath(roomId)}/state/m.room.topic`, {
        token: bob.accessToken,
      });
      assert.deepEqual(bobTopic.body, { topic: 'while bob was here' });
      const bobState = await client.call('GET', `${roomPath(roomId)}/state`, {
        token: bob.accessToken,
      });
      const bobMember = bobState.body.find(
        (e: { type: string; state_key: string }) =>
          e.type === 'm.room.member' && e.state_key === bob.userId,
      );
      assert.equal(bobMember.content.membership, 'leave');
      const aliceTopic = await client.call('GET', `${roomPath(roomId)}/state/m.room.topic`, {
        token: alice.accessToken,
      });
      assert.deepEqual(aliceTopic.body, { topic: 'after bob left' });

      // /context for bob stops at his leave too.
      const context = await client.call(
        'GET',
        `${roomPath(roomId)}/context/${encodeURIComponent(whileInvited)}?limit=40`,
        { token: bob.accessToken },
      );
      assert.equal(context.status, 200);
      const afterIds = context.body.events_after.map((e: { event_id: string }) => e.event_id);
      assert.ok(!afterIds.includes(afterLeave));
      assert.ok(!afterIds.includes(notJoinedYet));
      assert.equal(context.body.events_after.at(-1).state_key, bob.userId, 'his leave is last');

      // Carol never joined: the room is closed to her, its events do not exist for her.
      const carolCalls = [
        client.call('GET', `${roomPath(roomId)}/messages?dir=b`, { token: carol.accessToken }),
        client.call('GET', `${roomPath(roomId)}/state`, { token: carol.accessToken }),
        client.call('GET', `${roomPath(roomId)}/state/m.room.topic`, { token: carol.accessToken }),
        client.call('GET', `${roomPath(roomId)}/context/${encodeURIComponent(whileInvited)}`, {
          token: carol.accessToken,
        }),
        client.call('GET', `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/threads`, {
          token: carol.accessToken,
        }),
      ];
      for (const pending of carolCalls) assertError(await pending, 403, 'M_FORBIDDEN');
      assertError(await event(carol, whileInvited), 404, 'M_NOT_FOUND');
      const relations = await client.call(
        'GET',
        `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(whileInvited)}`,
        { token: carol.accessToken },
      );
      assertError(relations, 404, 'M_NOT_FOUND');
      // An unknown room looks the same as a closed one.
      assertError(
        await client.call('GET', `${roomPath('!nowhere:example.org')}/messages?dir=b`, {
          token: carol.accessToken,
        }),
        403,
        'M_FORBIDDEN',
      );
    }));

  test(`${kind}: anyone reads a world_readable room, from the point it became so`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const carol = await client.newAccount('carol');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      const before = await rooms.send(alice, roomId, { body: 'before' });
      await rooms.setState(alice, roomId, 'm.room.history_visibility', '', {
        history_visibility: 'world_readable',
      });
      const after = await rooms.send(alice, roomId, { body: 'after' });

      assert.deepEqual(await bodies(client, carol, roomId), ['after']);
      const all = await client.call('GET', `${roomPath(roomId)}/messages?dir=b&limit=50`, {
        token: carol.accessToken,
      });
      assert.deepEqual(
        all.body.chunk.map((e: { type: string }) => e.type),
        ['m.room.message', 'm.room.history_visibility'],
        'the change itself is visible from either side',
      );
      const get = (eventId: string) =>
        client.call('GET', `${roomPath(roomId)}/event/${encodeURIComponent(eventId)}`, {
          token: carol.accessToken,
        });
      assert.equal((await get(after)).status, 200);
      assertError(await get(before), 404, 'M_NOT_FOUND');
      const state = await client.call('GET', `${roomPath(roomId)}/state`, {
        token: carol.accessToken,
      });
      assert.equal(state.status, 200);
      assert.ok(state.body.some((e: { type: string }) => e.type === 'm.room.create'));
    }));
}
