// GET /_matrix/federation/v1/backfill/{roomId} on both databases: the `v` events and those before
// them, newest first, up to the limit (clamped to 100), as a transaction; redacted where history
// visibility hides them; rejected events left out; the spec's errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
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
import { getEvent } from '../../server/storage/events.ts';
import { backfill } from './backfill.ts';

const version = getRoomVersion('10')!;
const idsOf = (pdus: Pdu[]) => pdus.map((pdu) => computeEventId(version, pdu));

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /backfill walks back from v, newest first`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [backfill]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const messages: string[] = [];
      for (let i = 1; i <= 5; i++) messages.push(await sendMessage(server, roomId, alice, `m${i}`));
      const [m1, m2, m3, m4, m5] = messages as [string, string, string, string, string];
      const path = `/_matrix/federation/v1/backfill/${enc(roomId)}`;
      const call = (query: string) => server.call('origin.test', 'GET', `${path}?${query}`);

      let reply = await call(`v=${enc(m5)}&limit=3`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.origin, 'example.org');
      assert.equal(reply.body.origin_server_ts, TEST_NOW);
      assert.deepEqual(idsOf(reply.body.pdus), [m5, m4, m3]);
      for (const pdu of reply.body.pdus as Pdu[]) {
        assert.deepEqual(pdu, (await getEvent(db, computeEventId(version, pdu)))!.pdu);
      }

      // Several v: one walk, ordered by depth, no repeats.
      reply = await call(`v=${enc(m3)}&v=${enc(m5)}&limit=4`);
      assert.deepEqual(idsOf(reply.body.pdus), [m5, m4, m3, m2]);

      // Everything back to the create event, which comes last.
      reply = await call(`v=${enc(m5)}&limit=1000`);
      const all = idsOf(reply.body.pdus);
      assert.equal(reply.body.pdus.at(-1).type, 'm.room.create');
      assert.equal(new Set(all).size, all.length);
      assert.deepEqual(all.slice(0, 5), [m5, m4, m3, m2, m1]);
      const depths = (reply.body.pdus as Pdu[]).map((pdu) => pdu.depth);
      assert.deepEqual(
        depths,
        [...depths].sort((a, b) => b - a),
      );

      // Unknown v: nothing. A rejected event is walked through but not handed out.
      reply = await call('v=%24nope&limit=5');
      assert.deepEqual(reply.body.pdus, []);
      await db
        .updateTable('events')
        .set({ rejected_reason: 'auth' })
        .where('event_id', '=', m4)
        .execute();
      reply = await call(`v=${enc(m5)}&limit=3`);
      assert.deepEqual(idsOf(reply.body.pdus), [m5, m3, m2]);
    }));

  test(`${kind}: /backfill clamps the limit to 100`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [backfill]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      let last = '';
      for (let i = 0; i < 105; i++) last = await sendMessage(server, roomId, alice, `m${i}`);
      const reply = await server.call(
        'origin.test',
        'GET',
        `/_matrix/federation/v1/backfill/${enc(roomId)}?v=${enc(last)}&limit=500`,
      );
      assert.equal(reply.body.pdus.length, 100);
      assert.equal(reply.body.pdus[0].content.body, 'm104');
    }));

  test(`${kind}: /backfill redacts hidden history and refuses bad requests`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [backfill]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      await sendState(server, roomId, alice, 'm.room.history_visibility', '', {
        history_visibility: 'joined',
      });
      const hidden = await sendMessage(server, roomId, alice, 'before carol');
      await sendState(server, roomId, '@carol:later.test', 'm.room.member', '@carol:later.test', {
        membership: 'join',
      });
      const shown = await sendMessage(server, roomId, alice, 'after carol');
      const path = `/_matrix/federation/v1/backfill/${enc(roomId)}`;
      const reply = await server.call('later.test', 'GET', `${path}?v=${enc(shown)}&limit=3`);
      const [after, , before] = reply.body.pdus as Pdu[];
      assert.deepEqual(after!.content, { msgtype: 'm.text', body: 'after carol' });
      assert.deepEqual(before!.content, {});
      assert.equal(computeEventId(version, before!), hidden);

      const cases: [string, string, number, string][] = [
        ['stranger.test', `?v=${enc(shown)}&limit=3`, 403, 'M_FORBIDDEN'],
        ['origin.test', `?limit=3`, 400, 'M_MISSING_PARAM'],
        ['origin.test', `?v=${enc(shown)}`, 400, 'M_MISSING_PARAM'],
        ['origin.test', `?v=${enc(shown)}&limit=lots`, 400, 'M_INVALID_PARAM'],
        ['origin.test', `?v=${enc(shown)}&limit=0`, 400, 'M_INVALID_PARAM'],
      ];
      for (const [origin, query, status, errcode] of cases) {
        const bad = await server.call(origin, 'GET', `${path}${query}`);
        assert.deepEqual([bad.status, bad.body.errcode], [status, errcode], `${origin} ${query}`);
      }
      const unknownRoom = await server.call(
        'origin.test',
        'GET',
        `/_matrix/federation/v1/backfill/${enc('!nope:example.org')}?v=x&limit=1`,
      );
      assert.equal(unknownRoom.status, 403);
    }));
}
