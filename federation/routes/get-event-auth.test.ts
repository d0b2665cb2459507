// GET /_matrix/federation/v1/event_auth/{roomId}/{eventId} on both databases: the event's full
// auth chain as stored PDUs, itself left out; one query per auth-DAG layer copes with content
// PostgreSQL's JSON functions refuse (a \u0000 escape); the spec's errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  enc,
  roomWithRemoteMember,
  sendMessage,
  sendState,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { computeEventId } from '../../server/core/event-id.ts';
import type { Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { getCurrentState, getEvent } from '../../server/storage/events.ts';
import { getFederationEventAuth } from './get-event-auth.ts';

for (const kind of DATABASE_KINDS) {
  for (const versionId of ['10', '12']) {
    test(`${kind}, room v${versionId}: /event_auth is the full auth chain`, (t) =>
      withTestDatabase(t, kind, async (db) => {
        const server = await startFederationTestServer(db, [getFederationEventAuth]);
        t.after(() => server.close());
        const version = getRoomVersion(versionId)!;
        const { roomId, alice, bob } = await roomWithRemoteMember(server, { versionId });
        // Bob's member event, with content the SQL JSON functions cannot read, authorises his
        // message; so do the power levels, changed once to make the chain deeper.
        const rename = await sendState(server, roomId, bob, 'm.room.member', bob, {
          membership: 'join',
          displayname: 'nul\u0000byte',
        });
        const power = (await getCurrentState(db, roomId)).get('m.room.power_levels\u0000')!;
        const powerContent = (await getEvent(db, power))!.pdu.content;
        const newPower = await sendState(server, roomId, alice, 'm.room.power_levels', '', {
          ...powerContent,
          events_default: 0,
        });
        const message = await sendMessage(server, roomId, bob, 'hi');

        const reply = await server.call(
          'origin.test',
          'GET',
          `/_matrix/federation/v1/event_auth/${enc(roomId)}/${enc(message)}`,
        );
        assert.equal(reply.status, 200);
        const chain = reply.body.auth_chain as Pdu[];
        const ids = chain.map((pdu) => computeEventId(version, pdu));
        const state = await getCurrentState(db, roomId);
        const expected = [
          state.get('m.room.create\u0000')!,
          power,
          newPower,
          rename,
          state.get(`m.room.member\u0000${alice}`)!,
          state.get('m.room.join_rules\u0000')!,
        ];
        // Bob's first join is in the chain of his second; alice's member event in the power
        // levels'.
        const bobJoin = (await getEvent(db, rename))!.pdu.auth_events as string[];
        const firstJoin = bobJoin.find((id) => id !== power && !expected.includes(id));
        assert.ok(firstJoin);
        assert.deepEqual([...ids].sort(), [...expected, firstJoin].sort());
        assert.ok(!ids.includes(message));
        for (const pdu of chain) {
          assert.deepEqual(pdu, (await getEvent(db, computeEventId(version, pdu)))!.pdu);
        }

        // The create event has an empty chain.
        const create = await server.call(
          'origin.test',
          'GET',
          `/_matrix/federation/v1/event_auth/${enc(roomId)}/${enc(state.get('m.room.create\u0000')!)}`,
        );
        assert.deepEqual(create.body, { auth_chain: [] });
      }));
  }

  test(`${kind}: /event_auth refuses servers outside the room and unknown events`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getFederationEventAuth]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const other = await roomWithRemoteMember(server);
      const message = await sendMessage(server, roomId, alice, 'hi');
      const otherMessage = await sendMessage(server, other.roomId, alice, 'there');
      const path = (room: string, event: string) =>
        `/_matrix/federation/v1/event_auth/${enc(room)}/${enc(event)}`;
      const cases: [string, string, number, string][] = [
        ['stranger.test', path(roomId, message), 403, 'M_FORBIDDEN'],
        ['origin.test', path('!nope:example.org', message), 403, 'M_FORBIDDEN'],
        ['origin.test', path(roomId, '$nope'), 404, 'M_NOT_FOUND'],
        ['origin.test', path(roomId, otherMessage), 404, 'M_NOT_FOUND'],
      ];
      for (const [origin, url, status, errcode] of cases) {
        const reply = await server.call(origin, 'GET', url);
        assert.deepEqual([reply.status, reply.body.errcode], [status, errcode], `${origin} ${url}`);
      }
      // Outliers have auth chains; rejected events are not served.
      await db
        .updateTable('events')
        .set({ outlier: true })
        .where('event_id', '=', message)
        .execute();
      assert.equal((await server.call('origin.test', 'GET', path(roomId, message))).status, 200);
      await db
        .updateTable('events')
        .set({ rejected_reason: 'auth' })
        .where('event_id', '=', message)
        .execute();
      assert.equal((await server.call('origin.test', 'GET', path(roomId, message))).status, 404);
    }));
}
