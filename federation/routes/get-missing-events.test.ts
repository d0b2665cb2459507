// POST /_matrix/federation/v1/get_missing_events/{roomId} on both databases: breadth-first back
// from latest_events, stopping at earliest_events, min_depth and the limit (default 10, at most
// 20), oldest first; redacted where history visibility hides them; the spec's errors.
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
import type { JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { getEvent } from '../../server/storage/events.ts';
import { getMissingEvents } from './get-missing-events.ts';

const version = getRoomVersion('10')!;
const idsOf = (pdus: Pdu[]) => pdus.map((pdu) => computeEventId(version, pdu));

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /get_missing_events fills the gap between earliest and latest`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getMissingEvents]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const m: string[] = [];
      for (let i = 0; i < 25; i++) m.push(await sendMessage(server, roomId, alice, `m${i}`));
      const path = `/_matrix/federation/v1/get_missing_events/${enc(roomId)}`;
      const ask = (body: JsonObject, origin = 'origin.test') =>
        server.call(origin, 'POST', path, body);

      let reply = await ask({ earliest_events: [m[1]!], latest_events: [m[5]!] });
      assert.equal(reply.status, 200);
      assert.deepEqual(idsOf(reply.body.events), [m[2], m[3], m[4]]);
      for (const pdu of reply.body.events as Pdu[]) {
        assert.deepEqual(pdu, (await getEvent(db, computeEventId(version, pdu)))!.pdu);
      }
      // The limit keeps the newest.
      reply = await ask({ earliest_events: [m[1]!], latest_events: [m[5]!], limit: 2 });
      assert.deepEqual(idsOf(reply.body.events), [m[3], m[4]]);
      // min_depth stops the walk.
      const depth = (await getEvent(db, m[3]!))!.pdu.depth;
      reply = await ask({ earliest_events: [], latest_events: [m[5]!], min_depth: depth });
      assert.deepEqual(idsOf(reply.body.events), [m[3], m[4]]);
      // Default 10; at most 20.
      reply = await ask({ earliest_events: [], latest_events: [m[24]!] });
      assert.deepEqual(idsOf(reply.body.events), m.slice(14, 24));
      reply = await ask({ earliest_events: [], latest_events: [m[24]!], limit: 500 });
      assert.deepEqual(idsOf(reply.body.events), m.slice(4, 24));
      // Nothing known, or already had.
      reply = await ask({ earliest_events: [], latest_events: ['$nope'] });
      assert.deepEqual(reply.body, { events: [] });
      reply = await ask({ earliest_events: [m[5]!], latest_events: [m[5]!] });
      assert.deepEqual(reply.body, { events: [] });
      reply = await ask({ earliest_events: [m[4]!], latest_events: [m[5]!], limit: 0 });
      assert.deepEqual(reply.body, { events: [] });
    }));

  test(`${kind}: /get_missing_events redacts hidden history and refuses bad requests`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getMissingEvents]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      await sendState(server, roomId, alice, 'm.room.history_visibility', '', {
        history_visibility: 'joined',
      });
      const start = await sendMessage(server, roomId, alice, 'start');
      const hidden = await sendMessage(server, roomId, alice, 'hidden');
      const carol = '@carol:later.test';
      await sendState(server, roomId, carol, 'm.room.member', carol, { membership: 'join' });
      const latest = await sendMessage(server, roomId, alice, 'latest');
      const path = `/_matrix/federation/v1/get_missing_events/${enc(roomId)}`;
      const reply = await server.call('later.test', 'POST', path, {
        earliest_events: [start],
        latest_events: [latest],
      });
      const [first, join] = reply.body.events as Pdu[];
      assert.equal(computeEventId(version, first!), hidden);
      assert.deepEqual(first!.content, {});
      assert.equal(join!.state_key, carol);

      const cases: [string, unknown, number, string][] = [
        ['stranger.test', { earliest_events: [], latest_events: [latest] }, 403, 'M_FORBIDDEN'],
        ['origin.test', { earliest_events: [] }, 400, 'M_BAD_JSON'],
        ['origin.test', { latest_events: [latest] }, 400, 'M_BAD_JSON'],
        ['origin.test', { earliest_events: [], latest_events: [1] }, 400, 'M_BAD_JSON'],
        [
          'origin.test',
          { earliest_events: [], latest_events: [latest], limit: 'ten' },
          400,
          'M_BAD_JSON',
        ],
        [
          'origin.test',
          { earliest_events: [], latest_events: [latest], limit: -1 },
          400,
          'M_BAD_JSON',
        ],
      ];
      for (const [origin, body, status, errcode] of cases) {
        const bad = await server.call(origin, 'POST', path, body as JsonObject);
        assert.deepEqual([bad.status, bad.body.errcode], [status, errcode], JSON.stringify(body));
      }
      const noBody = await server.call('origin.test', 'POST', path);
      assert.deepEqual([noBody.status, noBody.body.errcode], [400, 'M_NOT_JSON']);
    }));
}
