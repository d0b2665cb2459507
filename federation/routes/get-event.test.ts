// GET /_matrix/federation/v1/event/{eventId} on both databases: the stored PDU in a one-PDU
// transaction for a server in the room; redacted when the room's history visibility hides it
// from that server, or when it was redacted; 403 for a server not in the room, 404 for an
// unknown event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  enc,
  type FederationTestServer,
  roomWithRemoteMember,
  sendMessage,
  sendState,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import type { Pdu } from '../../server/core/pdu.ts';
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import { getCurrentState, getEvent } from '../../server/storage/events.ts';
import { getFederationEvent } from './get-event.ts';

const fetchEvent = (server: FederationTestServer, origin: string, eventId: string) =>
  server.call(origin, 'GET', `/_matrix/federation/v1/event/${enc(eventId)}`);

for (const kind of DATABASE_KINDS) {
  for (const versionId of ['10', '12']) {
    test(`${kind}, room v${versionId}: /event serves the stored PDU to servers in the room`, (t) =>
      withTestDatabase(t, kind, async (db) => {
        const server = await startFederationTestServer(db, [getFederationEvent]);
        t.after(() => server.close());
        const { roomId, bob } = await roomWithRemoteMember(server, { versionId });
        const messageId = await sendMessage(server, roomId, bob, 'hello');

        const reply = await fetchEvent(server, 'origin.test', messageId);
        assert.equal(reply.status, 200);
        const stored = (await getEvent(db, messageId))!.pdu;
        // Room versions 3 and later carry no event_id in the PDU.
        assert.equal('event_id' in reply.body.pdus[0], false);
        assert.deepEqual(reply.body, {
          origin: 'example.org',
          origin_server_ts: TEST_NOW,
          pdus: [stored],
        });

        // The create event too (in v12 it has no room_id: the event says which room).
        const createId = (await getCurrentState(db, roomId)).get('m.room.create\u0000')!;
        const create = await fetchEvent(server, 'origin.test', createId);
        assert.equal(create.status, 200);
        assert.deepEqual(create.body.pdus, [(await getEvent(db, createId))!.pdu]);

        // Not in the room: 403, whether the event exists or not is not told.
        const stranger = await fetchEvent(server, 'stranger.test', messageId);
        assert.deepEqual([stranger.status, stranger.body.errcode], [403, 'M_FORBIDDEN']);
        const unknown = await fetchEvent(server, 'origin.test', '$nosuchevent');
        assert.deepEqual([unknown.status, unknown.body.errcode], [404, 'M_NOT_FOUND']);
        assert.equal((await fetchEvent(server, 'stranger.test', '$nosuchevent')).status, 404);

        // A server whose only user left is no longer in the room.
        await sendLocalEvent(server.deps, roomId, {
          type: 'm.room.member',
          stateKey: bob,
          sender: bob,
          content: { membership: 'leave' },
        });
        assert.equal((await fetchEvent(server, 'origin.test', messageId)).status, 403);
      }));
  }

  test(`${kind}: /event redacts what history visibility hides from the server`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getFederationEvent]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const carol = '@carol:later.test';
      // A server that joins later: under `joined` it sees only what was sent while it was in.
      await sendState(server, roomId, alice, 'm.room.history_visibility', '', {
        history_visibility: 'joined',
      });
      const before = await sendMessage(server, roomId, alice, 'before carol');
      await sendState(server, roomId, alice, 'm.room.member', carol, { membership: 'invite' });
      const whileInvited = await sendMessage(server, roomId, alice, 'carol is invited');
      const join = await sendState(server, roomId, carol, 'm.room.member', carol, {
        membership: 'join',
      });
      const after = await sendMessage(server, roomId, alice, 'carol is in');

      const pduSeenBy = async (origin: string, eventId: string) => {
        const reply = await fetchEvent(server, origin, eventId);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return reply.body.pdus[0];
      };
      const stored = async (eventId: string) => (await getEvent(db, eventId))!.pdu;
      const redacted = (pdu: Pdu): Pdu => {
        const { unsigned: _unsigned, ...kept } = pdu;
        return { ...kept, content: {} };
      };

      assert.deepEqual(await pduSeenBy('later.test', before), redacted(await stored(before)));
      assert.deepEqual(
        await pduSeenBy('later.test', whileInvited),
        redacted(await stored(whileInvited)),
      );
      // Its own user's join: the membership after it lets the server see it.
      assert.deepEqual(await pduSeenBy('later.test', join), await stored(join));
      assert.deepEqual(await pduSeenBy('later.test', after), await stored(after));
      // origin.test was joined all along.
      assert.deepEqual(await pduSeenBy('origin.test', before), await stored(before));

      // Under `invited`, an invited user is enough.
      await sendState(server, roomId, alice, 'm.room.history_visibility', '', {
        history_visibility: 'invited',
      });
      const dave = '@dave:invited.test';
      await sendState(server, roomId, alice, 'm.room.member', dave, { membership: 'invite' });
      const toInvited = await sendMessage(server, roomId, alice, 'dave is invited');
      await sendState(server, roomId, dave, 'm.room.member', dave, { membership: 'join' });
      assert.deepEqual(await pduSeenBy('invited.test', toInvited), await stored(toInvited));
      assert.deepEqual(await pduSeenBy('invited.test', before), redacted(await stored(before)));

      // A redacted event is served redacted to everyone; hashes and signatures stay.
      await sendLocalEvent(server.deps, roomId, {
        type: 'm.room.redaction',
        sender: alice,
        content: {},
        redacts: after,
      });
      const served = await pduSeenBy('origin.test', after);
      assert.deepEqual(served, redacted(await stored(after)));
      assert.ok(served.hashes.sha256);
      assert.ok(served.signatures['example.org']);
    }));

  test(`${kind}: /event refuses unsigned requests`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getFederationEvent]);
      t.after(() => server.close());
      const unsigned = await server.app.inject({
        method: 'GET',
        url: '/_matrix/federation/v1/event/%24x',
      });
      assert.deepEqual([unsigned.statusCode, unsigned.json().errcode], [401, 'M_UNAUTHORIZED']);
    }));
}
