// The local send pipeline on both databases and in room versions 10, 11 and 12: events are
// placed, signed, authorized by the room engine and persisted with their state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { computeEventId } from '../core/event-id.ts';
import { getRoomVersion } from '../core/room-versions.ts';
import { verifyEventSignatures } from '../core/sign-event.ts';
import { stateKey } from '../core/state-map.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { getCurrentState, getEvent, getForwardExtremities } from '../storage/events.ts';
import { readStateGroup } from '../storage/state-groups.ts';
import { createRoom } from './create-room.ts';
import { roomDepsOf } from './room-deps.ts';
import { sendLocalEvent } from './send-local-event.ts';

const alice = '@alice:example.org';
const bob = '@bob:example.org';

async function rejects(promise: Promise<unknown>, errcode: string) {
  await assert.rejects(
    promise,
    (err: unknown) => err instanceof MatrixError && err.errcode === errcode,
  );
}

for (const kind of DATABASE_KINDS) {
  for (const versionId of ['10', '11', '12']) {
    test(`${kind}, room v${versionId}: create, send, authorize, persist`, (t) =>
      withTestDatabase(t, kind, async (db) => {
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const version = getRoomVersion(versionId)!;
        const announced: string[] = [];
        ctx.roomEvents.subscribe(({ event }) => announced.push(event.eventId));

        const roomId = await createRoom(deps, {
          creator: alice,
          version,
          preset: 'private_chat',
          isPublic: false,
          name: 'Test room',
          invite: [bob],
          initialState: [],
          isDirect: false,
        });
        if (version.roomIdFromCreateEvent) assert.match(roomId, /^![A-Za-z0-9_-]{43}$/);
        else assert.match(roomId, /^![^:]+:example\.org$/);

        const state = await getCurrentState(db, roomId);
        for (const [type, key] of [
          ['m.room.create', ''],
          ['m.room.member', alice],
          ['m.room.power_levels', ''],
          ['m.room.join_rules', ''],
          ['m.room.history_visibility', ''],
          ['m.room.name', ''],
          ['m.room.member', bob],
        ] as const) {
          assert.ok(state.has(stateKey(type, key)), `${type}/${key}`);
        }
        assert.equal(announced.length, 8, 'every initial event is announced');

        // A message: one prev_event (the last extremity), auth events per the selection rules.
        const message = await sendLocalEvent(deps, roomId, {
          type: 'm.room.message',
          sender: alice,
          content: { msgtype: 'm.text', body: 'hello' },
        });
        assert.equal(message.eventId, computeEventId(version, message.pdu));
        assert.deepEqual(
          verifyEventSignatures(
            version,
            message.pdu,
            'example.org',
            new Map([[ctx.signingKey.keyId, ctx.signingKey.publicKeyBase64]]),
          ).ok,
          true,
        );
        const expectedAuth = [
          ...(version.roomIdFromCreateEvent ? [] : [state.get(stateKey('m.room.create', ''))]),
          state.get(stateKey('m.room.power_levels', '')),
          state.get(stateKey('m.room.member', alice)),
        ];
        assert.deepEqual(message.pdu.auth_events, expectedAuth);
        assert.deepEqual(
          (await getForwardExtremities(db, roomId)).map((x) => x.eventId),
          [message.eventId],
        );

        // Bob is only invited: he cannot send, and nothing is stored.
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.message',
            sender: bob,
            content: { body: 'x' },
          }),
          'M_FORBIDDEN',
        );
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.member',
          stateKey: bob,
          sender: bob,
          content: { membership: 'join' },
        });
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.message',
          sender: bob,
          content: { body: 'hi' },
        });
        // At power level 0 he cannot rename the room (state_default 50) or change power levels.
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.name',
            stateKey: '',
            sender: bob,
            content: { name: 'mine' },
          }),
          'M_FORBIDDEN',
        );
        // Someone never invited cannot join an invite-only room.
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.member',
            stateKey: '@eve:example.org',
            sender: '@eve:example.org',
            content: { membership: 'join' },
          }),
          'M_FORBIDDEN',
        );
        // An event over 65536 bytes is refused before it is stored.
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.message',
            sender: alice,
            content: { body: 'x'.repeat(70_000) },
          }),
          'M_TOO_LARGE',
        );

        // A retried transaction returns the first event and stores nothing new.
        const txn = { deviceId: 'DEV', txnId: 't1' };
        const first = await sendLocalEvent(
          deps,
          roomId,
          { type: 'm.room.message', sender: alice, content: { body: 'once' } },
          { txn },
        );
        const again = await sendLocalEvent(
          deps,
          roomId,
          { type: 'm.room.message', sender: alice, content: { body: 'once' } },
          { txn },
        );
        assert.equal(again.eventId, first.eventId);
        const count = await db
          .selectFrom('events')
          .select(db.fn.countAll().as('n'))
          .where('room_id', '=', roomId)
          .executeTakeFirstOrThrow();
        assert.equal(Number(count.n), 12);

        // The delta-stored state after the last event equals current state.
        const lastRow = await db
          .selectFrom('events')
          .select('state_after')
          .where('event_id', '=', first.eventId)
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          await readStateGroup(db, lastRow.state_after!),
          await getCurrentState(db, roomId),
        );
        assert.equal((await getEvent(db, first.eventId))?.pdu.content.body, 'once');
      }));
  }
}
