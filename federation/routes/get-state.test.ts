// GET /_matrix/federation/v1/state/{roomId} on both databases: the PDUs of the state before the
// event and of its auth chain, exactly as stored (redacted once redacted), the same events
// /state_ids names; and the spec's errors.
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
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import { getEvents } from '../../server/storage/events.ts';
import { getFederationState } from './get-state.ts';
import { getFederationStateIds } from './get-state-ids.ts';

for (const kind of DATABASE_KINDS) {
  for (const versionId of ['10', '11', '12']) {
    test(`${kind}, room v${versionId}: /state serves the stored PDUs /state_ids names`, (t) =>
      withTestDatabase(t, kind, async (db) => {
        const server = await startFederationTestServer(db, [
          getFederationState,
          getFederationStateIds,
        ]);
        t.after(() => server.close());
        const version = getRoomVersion(versionId)!;
        const { roomId, alice } = await roomWithRemoteMember(server, { versionId });
        const topic = await sendState(server, roomId, alice, 'm.room.topic', '', { topic: 'x' });
        // A state event redacted later is served redacted: its content is gone everywhere.
        await sendLocalEvent(server.deps, roomId, {
          type: 'm.room.redaction',
          sender: alice,
          content: version.redactsInContent ? { redacts: topic } : {},
          redacts: topic,
        });
        const message = await sendMessage(server, roomId, alice, 'hi');
        const query = `?event_id=${enc(message)}`;

        const full = await server.call(
          'origin.test',
          'GET',
          `/_matrix/federation/v1/state/${enc(roomId)}${query}`,
        );
        assert.equal(full.status, 200);
        const ids = await server.call(
          'origin.test',
          'GET',
          `/_matrix/federation/v1/state_ids/${enc(roomId)}${query}`,
        );
        const idsOf = (pdus: Pdu[]) => pdus.map((pdu) => computeEventId(version, pdu)).sort();
        assert.deepEqual(idsOf(full.body.pdus), [...ids.body.pdu_ids].sort());
        assert.deepEqual(idsOf(full.body.auth_chain), [...ids.body.auth_chain_ids].sort());

        const stored = await getEvents(db, [...ids.body.pdu_ids, ...ids.body.auth_chain_ids]);
        for (const pdu of [...full.body.pdus, ...full.body.auth_chain] as Pdu[]) {
          const event = stored.get(computeEventId(version, pdu))!;
          if (event.eventId === topic) {
            assert.deepEqual(pdu.content, {});
            assert.deepEqual(pdu.hashes, event.pdu.hashes);
          } else {
            assert.deepEqual(pdu, event.pdu);
          }
        }
        assert.ok(ids.body.pdu_ids.includes(topic));
      }));
  }

  test(`${kind}: /state refuses servers outside the room and unknown events`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, [getFederationState]);
      t.after(() => server.close());
      const { roomId, alice } = await roomWithRemoteMember(server);
      const message = await sendMessage(server, roomId, alice, 'hi');
      const path = `/_matrix/federation/v1/state/${enc(roomId)}`;
      const cases: [string, string, number, string][] = [
        ['stranger.test', `?event_id=${enc(message)}`, 403, 'M_FORBIDDEN'],
        ['origin.test', '?event_id=%24nope', 404, 'M_NOT_FOUND'],
        ['origin.test', '', 400, 'M_MISSING_PARAM'],
      ];
      for (const [origin, query, status, errcode] of cases) {
        const reply = await server.call(origin, 'GET', `${path}${query}`);
        assert.deepEqual(
          [reply.status, reply.body.errcode],
          [status, errcode],
          `${origin} ${query}`,
        );
      }
    }));
}
