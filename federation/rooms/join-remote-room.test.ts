// Joining a room over federation on both databases, against a resident server played by the test
// (host.test, answering make_join and send_join through a stand-in federation client). The
// resident server may send the room's next events as soon as it has our join, before its
// send_join reply is read (Synapse sends a dummy event at once when the room has many forward
// extremities): a transaction arriving then must be taken once the join is stored, not ignored
// as events of a room we are not in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { buildFederationApp } from '../../server/app.ts';
import type { Context } from '../../server/context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getEvent } from '../../server/storage/events.ts';
import { currentStateEventIds } from '../../server/storage/sync-room-summary.ts';
import type { FederationClient, FederationRequest } from '../transport/federation-client.ts';
import { authorizationHeader } from '../transport/x-matrix.ts';
import { joinRemoteRoom } from './join-remote-room.ts';
import { BOB, HOST, hostEvent, hostKey, hostVersion, keysFor, OWNER } from './stand-in-host.ts';

const ROOM = `!forked:${HOST}`;
const version = hostVersion;

/** The resident server's room: create, the owner's join, power levels, a public join rule. */
function hostRoom() {
  let depth = 0;
  const build = (fields: Partial<Pdu> & { type: string; content: JsonObject }): EventWithId =>
    hostEvent(ROOM, { origin_server_ts: 1000 + depth, depth: ++depth, ...fields });
  const create = build({
    type: 'm.room.create',
    state_key: '',
    content: { creator: OWNER, room_version: version.id },
  });
  const owner = build({
    type: 'm.room.member',
    state_key: OWNER,
    content: { membership: 'join' },
    prev_events: [create.eventId],
    auth_events: [create.eventId],
  });
  const power = build({
    type: 'm.room.power_levels',
    state_key: '',
    content: { users: { [OWNER]: 100 } },
    prev_events: [owner.eventId],
    auth_events: [create.eventId, owner.eventId],
  });
  const joinRule = build({
    type: 'm.room.join_rules',
    state_key: '',
    content: { join_rule: 'public' },
    prev_events: [power.eventId],
    auth_events: [create.eventId, owner.eventId, power.eventId],
  });
  return { build, create, owner, power, joinRule, state: [create, owner, power, joinRule] };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: events the resident server sends while our join is under way are taken once it is done`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const room = hostRoom();
      const base = buildTestContext(db);
      const serverKeys = keysFor(base);
      let deliver: () => Promise<void> = async () => {};
      const client: FederationClient = {
        ...base.federation.client,
        request: async (destination: string, request: FederationRequest) => {
          assert.equal(destination, HOST);
          if (request.path.startsWith('/_matrix/federation/v1/make_join/')) {
            const template = {
              type: 'm.room.member',
              state_key: BOB,
              sender: BOB,
              room_id: ROOM,
              content: { membership: 'join' },
              depth: 5,
              prev_events: [room.joinRule.eventId],
              auth_events: [room.create.eventId, room.power.eventId, room.joinRule.eventId],
              origin_server_ts: 2000,
            };
            return {
              status: 200,
              headers: {},
              body: { room_version: version.id, event: template },
            };
          }
          if (request.path.startsWith('/_matrix/federation/v2/send_join/')) {
            const join = withEventId(version, request.body as Pdu);
            joinEventId = join.eventId;
            topic = room.build({
              type: 'm.room.topic',
              state_key: '',
              content: { topic: 'sent right after the join' },
              depth: 6,
              prev_events: [join.eventId],
              auth_events: [room.create.eventId, room.power.eventId, room.owner.eventId],
            });
            // The transaction goes out before the reply; it is waited for, but not forever (a
            // server that holds it until the join is stored would never answer otherwise).
            const sent = deliver();
            let settled = false;
            void sent.then(() => {
              settled = true;
            });
            for (let waited = 0; !settled && waited < 1000; waited += 20) {
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            transaction = sent;
            return {
              status: 200,
              headers: {},
              body: {
                state: room.state.map((event) => event.pdu),
                auth_chain: room.state.map((event) => event.pdu),
                event: join.pdu,
              },
            };
          }
          throw new Error(`unexpected request ${request.method} ${request.path}`);
        },
      };
      const ctx: Context = { ...base, federation: { ...base.federation, client, serverKeys } };
      const app = buildFederationApp(ctx, undefined, serverKeys);
      await app.ready();
      t.after(() => app.close());

      let joinEventId = '';
      let topic: EventWithId | undefined;
      let transaction: Promise<void> | undefined;
      let answer: { status: number; body: unknown } | undefined;
      deliver = async () => {
        const url = '/_matrix/federation/v1/send/txn-during-join';
        const body = { origin: HOST, origin_server_ts: 3000, pdus: [topic!.pdu] };
        const authorization = authorizationHeader(
          { method: 'PUT', uri: url, origin: HOST, destination: TEST_SERVER_NAME, content: body },
          hostKey,
        );
        const response = await app.inject({
          method: 'PUT',
          url,
          headers: { authorization },
          payload: body,
        });
        answer = { status: response.statusCode, body: response.json() };
      };

      await joinRemoteRoom(ctx, { roomId: ROOM, userId: BOB, servers: [HOST], content: {} });
      await transaction;
      assert.equal(answer?.status, 200);
      assert.deepEqual(answer?.body, { pdus: { [topic!.eventId]: {} } });

      const stored = await getEvent(db, topic!.eventId);
      assert.ok(stored, 'the topic sent during the join is stored');
      assert.equal(stored.outlier, false);
      assert.equal(stored.rejectedReason, null);
      assert.deepEqual(await currentStateEventIds(db, ROOM, [['m.room.topic', '']]), [
        topic!.eventId,
      ]);
      assert.deepEqual(await currentStateEventIds(db, ROOM, [['m.room.member', BOB]]), [
        joinEventId,
      ]);
    }));
}
