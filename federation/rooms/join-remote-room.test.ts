// Joining a room over federation on both databases, against a resident server played by the test
// (host.test, answering make_join and send_join through a stand-in federation client). The
// resident server may send the room's next events as soon as it has our join, before its
// send_join reply is read (Synapse sends a dummy event at once when the room has many forward
// extremities): a transaction arriving then must be taken once the join is stored, not ignored
// as events of a room we are not in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getEvent } from '../../server/storage/events.ts';
import { currentStateEventIds } from '../../server/storage/sync-room-summary.ts';
import type { FederationClient, FederationRequest } from '../transport/federation-client.ts';
import { joinRemoteRoom } from './join-remote-room.ts';
import {
  BOB,
  federationAppFor,
  HOST,
  hostEvent,
  hostVersion,
  letRun,
  memberTemplateReply,
  OWNER,
  putAs,
} from './stand-in-host.ts';

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
      let deliver: () => Promise<void> = async () => {};
      const client: FederationClient = {
        ...base.federation.client,
        request: async (destination: string, request: FederationRequest) => {
          assert.equal(destination, HOST);
          if (request.path.startsWith('/_matrix/federation/v1/make_join/')) {
            return memberTemplateReply(ROOM, 'join', {
              prev: [room.joinRule.eventId],
              auth: [room.create.eventId, room.power.eventId, room.joinRule.eventId],
            });
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
            await letRun(sent);
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
      const { ctx, app } = await federationAppFor(base, client);
      t.after(() => app.close());

      let joinEventId = '';
      let topic: EventWithId | undefined;
      let transaction: Promise<void> | undefined;
      let answer: { status: number; body: unknown } | undefined;
      deliver = async () => {
        const body = { origin: HOST, origin_server_ts: 3000, pdus: [topic!.pdu] };
        answer = await putAs(app, '/_matrix/federation/v1/send/txn-during-join', body);
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
