// Rejecting a remote invite on both databases, against the inviting server played by the test
// (host.test, answering make_leave and send_leave through a stand-in federation client). The
// inviter may invite again as soon as it has the rejection, and that invite can reach us before
// the send_leave reply is read: it must end up on top of the leave, not under it (the leave
// stored afterwards would hide it, and the user would never see the new invite).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  DATABASE_KINDS,
  newUser,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { EventWithId, Pdu } from '../../server/core/pdu.ts';
import { getEvent } from '../../server/storage/events.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import type { FederationClient, FederationRequest } from '../transport/federation-client.ts';
import { leaveRemoteRoom } from './leave-remote-room.ts';
import {
  BOB,
  deliverInvite,
  federationAppFor,
  HOST,
  hostRoomStart,
  hostVersion,
  letRun,
  memberTemplateReply,
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
      const { create } = hostRoomStart(ROOM);
      const firstInvite = hostEvent({
        type: 'm.room.member',
        state_key: BOB,
        content: { membership: 'invite' },
        depth: 4,
        prev_events: [create.eventId],
        auth_events: [create.eventId],
      });
      const base = buildTestContext(db);
      await storeRemoteInvite(base, version, firstInvite, []);
      let app: FastifyInstance | undefined;
      let leaveId = '';
      let secondInvite: EventWithId | undefined;
      let delivery: Promise<number> | undefined;
      const client: FederationClient = {
        ...base.federation.client,
        request: async (destination: string, request: FederationRequest) => {
          assert.equal(destination, HOST);
          if (request.path.startsWith('/_matrix/federation/v1/make_leave/')) {
            return memberTemplateReply(ROOM, 'leave', {
              prev: [firstInvite.eventId],
              auth: [create.eventId, firstInvite.eventId],
            });
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
            // The invite goes out before the reply (it waits for the leave to be stored).
            delivery = deliverInvite(app!, secondInvite);
            await letRun(delivery);
            return { status: 200, headers: {}, body: {} };
          }
          throw new Error(`unexpected request ${request.method} ${request.path}`);
        },
      };
      const built = await federationAppFor(base, client);
      const { ctx } = built;
      app = built.app;
      t.after(() => built.app.close());

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
