// Redactions on both databases, in room versions 10 and 11: who may redact what, the target
// served redacted by its room version's algorithm (with `redacted_because`) on every read path,
// idempotent retries, and refused requests that store nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';

for (const kind of DATABASE_KINDS) {
  for (const version of ['10', '11'] as const) {
    test(`${kind}, room v${version}: redactions by the rules, served redacted everywhere`, (t) =>
      withClient(t, kind, async (client) => {
        const rooms = roomClient(client);
        const alice = await client.newAccount('alice');
        const bob = await client.newAccount('bob');
        const carol = await client.newAccount('carol');
        const roomId = await rooms.createRoom(alice, {
          preset: 'public_chat',
          room_version: version,
        });
        await rooms.setMembership(bob, roomId, bob.userId, 'join');
        const aliceSays = await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'alice' });
        const bobSays = await rooms.send(bob, roomId, { msgtype: 'm.text', body: 'secret' });
        const bobAgain = await rooms.send(bob, roomId, { msgtype: 'm.text', body: 'again' });
        const get = async (eventId: string) =>
          (
            await client.call('GET', `${roomPath(roomId)}/event/${encodeURIComponent(eventId)}`, {
              token: alice.accessToken,
            })
          ).body;

        // Refused: bob (power 0) redacting alice or an unknown event, carol (not in the room), a
        // malformed body. None of them stores anything.
        const tables = ['events', 'event_relations', 'event_txn_ids', 'current_state'] as const;
        const before = await snapshotTables(client.db, tables);
        const redactUrl = (eventId: string, txnId: string) =>
          `${roomPath(roomId)}/redact/${encodeURIComponent(eventId)}/${txnId}`;
        assertError(
          await client.call('PUT', redactUrl(aliceSays, 'x1'), {
            token: bob.accessToken,
            body: {},
          }),
          403,
          'M_FORBIDDEN',
        );
        assertError(
          await client.call('PUT', redactUrl(bobSays, 'x2'), {
            token: carol.accessToken,
            body: {},
          }),
          404,
          'M_NOT_FOUND',
        );
        // An event this server does not have may be anyone's: bob lacks the `redact` level.
        assertError(
          await client.call('PUT', redactUrl('$unknown', 'x3'), {
            token: bob.accessToken,
            body: {},
          }),
          403,
          'M_FORBIDDEN',
        );
        assertError(
          await client.call('PUT', redactUrl(bobSays, 'x4'), {
            token: bob.accessToken,
            body: { reason: 5 },
          }),
          400,
          'M_BAD_JSON',
        );
        assertError(
          await client.call('PUT', redactUrl(bobSays, 'x5'), {
            token: bob.accessToken,
            rawBody: '{',
          }),
          400,
          'M_NOT_JSON',
        );
        assert.equal(await snapshotTables(client.db, tables), before, 'nothing stored');
        assert.equal((await get(aliceSays)).content.body, 'alice');

        // Alice, with the redact level, may redact an event this server does not have (yet).
        const unknown = await client.call('PUT', redactUrl('$not-here-yet', 'x6'), {
          token: alice.accessToken,
          body: {},
        });
        assert.equal(unknown.status, 200, JSON.stringify(unknown.body));

        // Bob redacts his own message, with a reason; a retry returns the same redaction.
        const first = await client.call('PUT', redactUrl(bobSays, 'mine'), {
          token: bob.accessToken,
          body: { reason: 'oops' },
        });
        assert.equal(first.status, 200);
        const retry = await client.call('PUT', redactUrl(bobSays, 'mine'), {
          token: bob.accessToken,
          body: { reason: 'oops' },
        });
        assert.equal(retry.body.event_id, first.body.event_id);
        const redactionId: string = first.body.event_id;

        const redacted = await get(bobSays);
        assert.deepEqual(redacted.content, {});
        const because = redacted.unsigned.redacted_because;
        assert.equal(because.event_id, redactionId);
        assert.equal(because.type, 'm.room.redaction');
        assert.equal(because.sender, bob.userId);
        assert.equal(because.content.reason, 'oops');
        // The PDU has it at the top level in v10 and in the content from v11; clients are served
        // both places (the v11 spec's compatibility advice).
        assert.equal(because.redacts, bobSays);
        assert.equal(because.content.redacts, bobSays);
        const redactionRow = await client.db
          .selectFrom('events')
          .select('json')
          .where('event_id', '=', redactionId)
          .executeTakeFirstOrThrow();
        const pdu = JSON.parse(redactionRow.json);
        if (version === '10') {
          assert.equal(pdu.redacts, bobSays, 'v10: redacts at the top level');
          assert.equal(pdu.content.redacts, undefined);
        } else {
          assert.equal(pdu.content.redacts, bobSays, 'v11: redacts in the content');
          assert.equal(pdu.redacts, undefined);
        }

        // Served redacted by /messages and /context too.
        const page = await client.call('GET', `${roomPath(roomId)}/messages?dir=b&limit=5`, {
          token: alice.accessToken,
        });
        const inPage = page.body.chunk.find((e: { event_id: string }) => e.event_id === bobSays);
        assert.deepEqual(inPage.content, {});
        assert.equal(inPage.unsigned.redacted_because.event_id, redactionId);
        const context = await client.call(
          'GET',
          `${roomPath(roomId)}/context/${encodeURIComponent(bobSays)}`,
          { token: bob.accessToken },
        );
        assert.deepEqual(context.body.event.content, {});

        // Alice (power 100) redacts bob's other message, and his redaction: the versions differ
        // on what a redacted redaction keeps (v11 keeps content.redacts, served at the top too).
        await rooms.redact(alice, roomId, bobAgain);
        assert.deepEqual((await get(bobAgain)).content, {});
        await rooms.redact(alice, roomId, redactionId);
        const redactedRedaction = await get(redactionId);
        assert.deepEqual(redactedRedaction.content, version === '10' ? {} : { redacts: bobSays });
        assert.equal(redactedRedaction.redacts, version === '10' ? undefined : bobSays);
        // A state event keeps its protected keys: the member event its membership.
        const bobMember = (
          await client.db
            .selectFrom('current_state')
            .select('event_id')
            .where('room_id', '=', roomId)
            .where('state_key', '=', bob.userId)
            .executeTakeFirstOrThrow()
        ).event_id;
        await rooms.redact(alice, roomId, bobMember);
        assert.deepEqual((await get(bobMember)).content, { membership: 'join' });
        const stored = await client.db
          .selectFrom('events')
          .select(['event_id', 'redacted_by'])
          .where('event_id', 'in', [aliceSays, bobSays, bobAgain])
          .execute();
        const redactedBy = new Map(stored.map((row) => [row.event_id, row.redacted_by]));
        assert.equal(redactedBy.get(aliceSays), null);
        assert.equal(redactedBy.get(bobSays), redactionId);
      }));
  }
}
