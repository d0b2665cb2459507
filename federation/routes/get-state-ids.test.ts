// GET /_matrix/federation/v1/state_ids/{roomId} on both databases: the state before the event
// (the event itself not applied) and the auth chain of that state, for a server in the room; the
// spec's errors for everything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  enc,
  type FederationTestServer,
  roomWithRemoteMember,
  sendMessage,
  sendState,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { authEventIds } from '../../server/core/dag/auth-events.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { getCurrentState, getEvent } from '../../server/storage/events.ts';
import { getFederationStateIds } from './get-state-ids.ts';

const stateIdsAt = (server: FederationTestServer, origin: string, roomId: string, query: string) =>
  server.call(origin, 'GET', `/_matrix/federation/v1/state_ids/${enc(roomId)}${query}`);

/** The auth chain of some events, walked one event at a time: the reference to compare with. */
async function naiveAuthChain(
  server: FederationTestServer,
  versionId: string,
  eventIds: string[],
): Promise<string[]> {
  const version = getRoomVersion(versionId)!;
  const found = new Set<string>();
  const todo: string[] = [];
  for (const id of eventIds)
    todo.push(...authEventIds(version, (await getEvent(server.ctx.db, id))!.pdu));
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (found.has(id)) continue;
    found.add(id);
    todo.push(...authEventIds(version, (await getEvent(server.ctx.db, id))!.pdu));
  }
  return [...found].sort();
}

for (const kind of DATABASE_KINDS) {
  for (const versionId of ['10', '12']) {
    test(`${kind}, room v${versionId}: /state_ids is the state before the event`, (t) =>
      withTestDatabase(t, kind, async (db) => {
        const server = await startFederationTestServer(db, [getFederationStateIds]);
        t.after(() => server.close());
        const { roomId, alice } = await roomWithRemoteMember(server, { versionId });
        const firstTopic = await sendState(server, roomId, alice, 'm.room.topic', '', {
          topic: 'one',
        });
        const secondTopic = await sendState(server, roomId, alice, 'm.room.topic', '', {
          topic: 'two',
        });
        const message = await sendMessage(server, roomId, alice, 'hi');
        const current = [...(await getCurrentState(db, roomId)).values()].sort();

        // At a message: the whole current state.
        let reply = await stateIdsAt(server, 'origin.test', roomId, `?event_id=${enc(message)}`);
        assert.equal(reply.status, 200);
        assert.deepEqual([...reply.body.pdu_ids].sort(), current);
        assert.deepEqual(
          [...reply.body.auth_chain_ids].sort(),
          await naiveAuthChain(server, versionId, current),
        );

        // At a state event: what it replaced, not itself.
        reply = await stateIdsAt(server, 'origin.test', roomId, `?event_id=${enc(secondTopic)}`);
        assert.equal(reply.status, 200);
        assert.ok(reply.body.pdu_ids.includes(firstTopic));
        assert.ok(!reply.body.pdu_ids.includes(secondTopic));
        reply = await stateIdsAt(server, 'origin.test', roomId, `?event_id=${enc(firstTopic)}`);
        assert.ok(!reply.body.pdu_ids.includes(firstTopic));
        assert.equal(reply.body.pdu_ids.length, current.length - 1);

        // At the create event: nothing.
        const createId = (await getCurrentState(db, roomId)).get('m.room.create\u0000')!;
        reply = await stateIdsAt(server, 'origin.test', roomId, `?event_id=${enc(createId)}`);
        assert.deepEqual(reply.body, { pdu_ids: [], auth_chain_ids: [] });
      }));
  }

  test(`${kind}: /state_ids refuses servers outside the room and bad input`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getFederationStateIds]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const other = await roomWithRemoteMember(server, { remoteServer: 'elsewhere.test' });
      const message = await sendMessage(server, roomId, alice, 'hi');
      const otherMessage = await sendMessage(server, other.roomId, alice, 'there');
      const query = `?event_id=${enc(message)}`;
      const expect = async (
        origin: string,
        room: string,
        q: string,
        status: number,
        errcode: string,
      ) => {
        const reply = await stateIdsAt(server, origin, room, q);
        assert.deepEqual(
          [reply.status, reply.body.errcode],
          [status, errcode],
          `${origin} ${room} ${q}`,
        );
      };

      await expect('stranger.test', roomId, query, 403, 'M_FORBIDDEN');
      await expect('origin.test', '!unknown:example.org', query, 403, 'M_FORBIDDEN');
      await expect('origin.test', roomId, '', 400, 'M_MISSING_PARAM');
      await expect('origin.test', roomId, `?event_id=a&event_id=b`, 400, 'M_INVALID_PARAM');
      await expect('origin.test', roomId, '?event_id=%24unknown', 404, 'M_NOT_FOUND');
      // An event of another room, even one the server is in.
      await expect('elsewhere.test', other.roomId, query, 404, 'M_NOT_FOUND');
      await expect('origin.test', roomId, `?event_id=${enc(otherMessage)}`, 404, 'M_NOT_FOUND');

      // No state known at outliers, and none served at rejected events.
      await db
        .updateTable('events')
        .set({ outlier: true })
        .where('event_id', '=', message)
        .execute();
      await expect('origin.test', roomId, query, 404, 'M_NOT_FOUND');
      await db
        .updateTable('events')
        .set({ outlier: false, rejected_reason: 'auth' })
        .where('event_id', '=', message)
        .execute();
      await expect('origin.test', roomId, query, 404, 'M_NOT_FOUND');
      await db
        .updateTable('events')
        .set({ rejected_reason: null })
        .where('event_id', '=', message)
        .execute();
      assert.equal((await stateIdsAt(server, 'origin.test', roomId, query)).status, 200);

      // The server ACL: a denied server is refused, whatever its port.
      await sendState(
        server,
        roomId,
        '@carol:origin.test:8448',
        'm.room.member',
        '@carol:origin.test:8448',
        {
          membership: 'join',
        },
      );
      assert.equal((await stateIdsAt(server, 'origin.test:8448', roomId, query)).status, 200);
      await sendState(server, roomId, alice, 'm.room.server_acl', '', {
        allow: ['*'],
        deny: ['origin.test'],
      });
      for (const origin of ['origin.test', 'origin.test:8448']) {
        const denied = await stateIdsAt(server, origin, roomId, query);
        assert.deepEqual([denied.status, denied.body.errcode], [403, 'M_FORBIDDEN']);
        assert.match(denied.body.error, /server ACL/);
      }
      // A server outside the room is told it is not in the room, not about the ACL.
      const stranger = await stateIdsAt(server, 'stranger.test', roomId, query);
      assert.match(stranger.body.error, /not in room/);
    }));
}
