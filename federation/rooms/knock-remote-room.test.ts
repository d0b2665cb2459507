// Knocking over federation on both databases, against a resident server played by the test
// (host.test, answering make_knock and send_knock through a stand-in federation client). The
// room may take the knock in at once (an invite: a bot that lets knockers in), and that invite
// can reach us before the send_knock reply is read: it must end up on top of the knock, not
// under it (the knock stored afterwards would hide it, and the user would never see the invite).
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
import { knockOnRoomAnywhere } from './knock-remote-room.ts';
import {
  BOB,
  HOST,
  hostKey,
  hostVersion,
  keysFor,
  OWNER,
  hostEvent as roomEvent,
} from './stand-in-host.ts';

const ROOM = `!knockable:${HOST}`;
const version = hostVersion;
const hostEvent = (fields: Parameters<typeof roomEvent>[1]) => roomEvent(ROOM, fields);

for (const kind of DATABASE_KINDS) {
  test(`${kind}: an invite the room sends while our knock is under way ends up on top of it`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await newUser(db, 'bob');
      const create = hostEvent({
        type: 'm.room.create',
        state_key: '',
        content: { creator: OWNER, room_version: version.id },
      });
      const joinRule = hostEvent({
        type: 'm.room.join_rules',
        state_key: '',
        content: { join_rule: 'knock' },
        depth: 4,
        prev_events: [create.eventId],
        auth_events: [create.eventId],
      });
      const base = buildTestContext(db);
      const serverKeys = keysFor(base);
      let knockId = '';
      let invite: EventWithId | undefined;
      let delivery: Promise<number> | undefined;
      const client: FederationClient = {
        ...base.federation.client,
        request: async (destination: string, request: FederationRequest) => {
          assert.equal(destination, HOST);
          if (request.path.startsWith('/_matrix/federation/v1/make_knock/')) {
            const template = {
              type: 'm.room.member',
              state_key: BOB,
              sender: BOB,
              room_id: ROOM,
              content: { membership: 'knock' },
              depth: 5,
              prev_events: [joinRule.eventId],
              auth_events: [create.eventId, joinRule.eventId],
              origin_server_ts: 2000,
            };
            return {
              status: 200,
              headers: {},
              body: { room_version: version.id, event: template },
            };
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
            // The invite goes out before the reply; it is waited for, but not forever (it waits
            // for the knock to be stored once the fix holds the room's lock).
            delivery = deliverInvite(invite);
            let settled = false;
            void delivery.then(() => {
              settled = true;
            });
            for (let waited = 0; !settled && waited < 1000; waited += 20) {
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
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

      await knockOnRoomAnywhere(ctx, { roomId: ROOM, userId: BOB, servers: [HOST] });
      assert.equal(await delivery, 200);

      assert.ok(await getEvent(db, knockId), 'the knock is stored');
      assert.ok(await getEvent(db, invite!.eventId), 'the invite is stored');
      const member = await getCurrentMember(db, ROOM, BOB);
      assert.equal(member?.membership, 'invite', 'the invite, sent after the knock, is current');
      assert.equal(member?.eventId, invite!.eventId);
    }));
}
