// Knocking over federation on both databases, against a resident server played by the test
// (host.test, answering make_knock and send_knock through a stand-in federation client). The
// room may take the knock in at once (an invite: a bot that lets knockers in), and that invite
// can reach us before the send_knock reply is read: it must end up on top of the knock, not
// under it (the knock stored afterwards would hide it, and the user would never see the invite).
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
import { knockOnRoomAnywhere } from './knock-remote-room.ts';
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

const ROOM = `!knockable:${HOST}`;
const version = hostVersion;
const hostEvent = (fields: Parameters<typeof roomEvent>[1]) => roomEvent(ROOM, fields);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: an invite the room sends while our knock is under way ends up on top of it`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await newUser(db, 'bob');
      const { create, joinRule } = hostRoomStart(ROOM);
      const base = buildTestContext(db);
      let app: FastifyInstance | undefined;
      let knockId = '';
      let invite: EventWithId | undefined;
      let delivery: Promise<number> | undefined;
      const client: FederationClient = {
        ...base.federation.client,
        request: async (destination: string, request: FederationRequest) => {
          assert.equal(destination, HOST);
          if (request.path.startsWith('/_matrix/federation/v1/make_knock/')) {
            return memberTemplateReply(ROOM, 'knock', {
              prev: [joinRule.eventId],
              auth: [create.eventId, joinRule.eventId],
            });
          }
          if (request.path.startsWith('/_matrix/federation/v1/send_knock/')) {
            knockId = withEventId(version, request.body as Pdu).eventId;
            invite = hostEvent({
              type: 'm.room.member',
              state_key: BOB,
              content: { membership: 'invite' },
              depth: 6,
              prev_events: [knockId],
              auth_events: [create.eventId, joinRule.eventId, knockId],
            });
            // The invite goes out before the reply (it waits for the knock to be stored).
            delivery = deliverInvite(app!, invite);
            await letRun(delivery);
            const stripped = [create, joinRule].map(({ pdu }) => ({
              type: pdu.type,
              state_key: pdu.state_key,
              sender: pdu.sender,
              content: pdu.content,
            }));
            return { status: 200, headers: {}, body: { knock_room_state: stripped } };
          }
          throw new Error(`unexpected request ${request.method} ${request.path}`);
        },
      };
      const built = await federationAppFor(base, client);
      const { ctx } = built;
      app = built.app;
      t.after(() => built.app.close());

      await knockOnRoomAnywhere(ctx, { roomId: ROOM, userId: BOB, servers: [HOST] });
      assert.equal(await delivery, 200);

      assert.ok(await getEvent(db, knockId), 'the knock is stored');
      assert.ok(await getEvent(db, invite!.eventId), 'the invite is stored');
      const member = await getCurrentMember(db, ROOM, BOB);
      assert.equal(member?.membership, 'invite', 'the invite, sent after the knock, is current');
      assert.equal(member?.eventId, invite!.eventId);
    }));
}
