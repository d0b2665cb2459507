// Rejecting a remote invite on both databases, against the inviting server played by the test
// (host.test, answering make_leave and send_leave through a stand-in federation client). The
// inviter may invite again as soon as it has the rejection, and that invite can reach us before
// the send_leave reply is read: it must end up on top of the leave, not under it (the leave
// stored afterwards would hide it, and the user would never see the new invite).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newUser,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { buildFederationApp } from '../../server/app.ts';
import type { Context } from '../../server/context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, Pdu } from '../../server/core/pdu.ts';
import { getEvent } from '../../server/storage/events.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import type { FederationClient, FederationRequest } from '../transport/federation-client.ts';
import { authorizationHeader } from '../transport/x-matrix.ts';
import { leaveRemoteRoom } from './leave-remote-room.ts';
import {
  BOB,
  HOST,
  hostKey,
  hostVersion,
  keysFor,
  OWNER,
  hostEvent as roomEvent,
} from './stand-in-host.ts';
import { storeRemoteInvite } from './store-remote-invite.ts';

const ROOM = `!inviting:${HOST}`;
const version = hostVersion;
const hostEvent = (fields: Parameters<typeof roomEvent>[1]) => roomEvent(ROOM, fields);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: an invite the room sends while our rejection is under way ends up on top of it`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await newUser(db, 'bob');
      const create = hostEvent({
        type: 'm.room.create',
        state_key: '',
        content: { creator: OWNER, room_version: version.id },
      });
      const firstInvite = hostEvent({
        type: 'm.room.member',
        state_key: BOB,
        content: { membership: 'invite' },
        depth: 4,
        prev_events: [create.eventId],
        auth_events: [create.eventId],
      });
      const base = buildTestContext(db);
      const serverKeys = keysFor(base);
      await storeRemoteInvite(base, version, firstInvite, []);
      let leaveId = '';
      let secondInvite: EventWithId | undefined;
      let delivery: Promise<number> | undefined;
      const client: FederationClient = {
        ...base.federation.client,
        request: async (destination: string, request: FederationRequest) => {
          assert.equal(destination, HOST);
          if (request.path.startsWith('/_matrix/federation/v1/make_leave/')) {
            const template = {
              type: 'm.room.member',
              state_key: BOB,
              sender: BOB,
              room_id: ROOM,
              content: { membership: 'leave' },
              depth: 5,
              prev_events: [firstInvite.eventId],
              auth_events: [create.eventId, firstInvite.eventId],
              origin_server_ts: 2000,
            };
            return {
              status: 200,
              headers: {},
              body: { room_version: version.id, event: template },
            };
          }
          if (request.path.startsWith('/_matrix/federation/v2/send_leave/')) {
            leaveId = withEventId(version, request.body as Pdu).eventId;
            secondInvite = hostEvent({
              type: 'm.room.member',
              state_key: BOB,
              content: { membership: 'invite', reason: 'one more try' },
              depth: 6,
              prev_events: [leaveId],
              auth_events: [create.eventId, leaveId],
            });
            // The invite goes out before the reply; it is waited for, but not forever (it waits
            // for the leave to be stored once the fix holds the room's lock).
            delivery = deliverInvite(secondInvite);
            let settled = false;
            void delivery.then(() => {
              settled = true;
            });
            for (let waited = 0; !settled && waited < 1000; waited += 20) {
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            return { status: 200, headers: {}, body: {} };
          }
          throw new Error(`unexpected request ${request.method} ${request.path}`);
        },
      };
      const ctx: Context = { ...base, federation: { ...base.federation, client, serverKeys } };
      const app = buildFederationApp(ctx, undefined, serverKeys);
      await app.ready();
      t.after(() => app.close());

      async function deliverInvite(event: EventWithId): Promise<number> {
        const url = `/_matrix/federation/v2/invite/${encodeURIComponent(ROOM)}/${encodeURIComponent(event.eventId)}`;
        const body = { room_version: version.id, event: event.pdu, invite_room_state: [] };
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
        return response.statusCode;
      }

      await leaveRemoteRoom(ctx, ROOM, BOB);
      assert.equal(await delivery, 200);

      const leave = await getEvent(db, leaveId);
      assert.ok(leave, 'the leave sent through the inviting server is stored');
      assert.equal(leave.outlier, false);
      assert.ok(await getEvent(db, secondInvite!.eventId), 'the second invite is stored');
      const member = await getCurrentMember(db, ROOM, BOB);
      assert.equal(member?.membership, 'invite', 'the invite, sent after the leave, is current');
      assert.equal(member?.eventId, secondInvite!.eventId);
    }));
}
