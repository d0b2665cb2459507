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
import {
  getCurrentState,
  getCurrentStateEntries,
  getEvent,
  getForwardExtremities,
} from '../storage/events.ts';
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
        // The keyed read gives exactly the entries asked for that exist, as the whole read has them.
        const some = await getCurrentStateEntries(db, roomId, [
          ['m.room.power_levels', ''],
          ['m.room.member', bob],
          ['m.room.topic', ''],
        ]);
        assert.deepEqual(
          [...some].sort(),
          [stateKey('m.room.power_levels', ''), stateKey('m.room.member', bob)]
            .map((k) => [k, state.get(k)!])
            .sort(),
        );
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
        const txn = { deviceId: 'DEV', scope: `${roomId}/send/m.room.message`, txnId: 't1' };
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
        // The same txnId on another endpoint (here another event type) is another request.
        const elsewhere = await sendLocalEvent(
          deps,
          roomId,
          { type: 'm.room.message.other', sender: alice, content: { body: 'once' } },
          { txn: { ...txn, scope: `${roomId}/send/m.room.message.other` } },
        );
        assert.notEqual(elsewhere.eventId, first.eventId);
        const count = await db
          .selectFrom('events')
          .select(db.fn.countAll().as('n'))
          .where('room_id', '=', roomId)
          .executeTakeFirstOrThrow();
        assert.equal(Number(count.n), 13);

        // The delta-stored state after the last event equals current state.
        const lastRow = await db
          .selectFrom('events')
          .select('state_after')
          .where('event_id', '=', elsewhere.eventId)
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          await readStateGroup(db, lastRow.state_after!),
          await getCurrentState(db, roomId),
        );
        assert.equal((await getEvent(db, first.eventId))?.pdu.content.body, 'once');
      }));

    test(`${kind}, room v${versionId}: identical state is not repeated; create events are 400`, (t) =>
      withTestDatabase(t, kind, async (db) => {
        const ctx = buildTestContext(db);
        const deps = roomDepsOf(ctx);
        const version = getRoomVersion(versionId)!;
        const roomId = await createRoom(deps, {
          creator: alice,
          version,
          preset: 'public_chat',
          isPublic: false,
          invite: [],
          initialState: [],
          // Bob may set state too; power levels still need 100.
          powerLevelOverride: { state_default: 0 },
          isDirect: false,
        });
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.member',
          stateKey: bob,
          sender: bob,
          content: { membership: 'join' },
        });
        const set = (sender: string, content: Record<string, unknown>) =>
          sendLocalEvent(
            deps,
            roomId,
            { type: 'a.test.state', stateKey: '', sender, content: content as never },
            { reuseIdenticalState: true },
          );
        const first = await set(alice, { a: 1, b: [1, 2] });
        // Same content (keys in another order): the current event is the answer.
        assert.equal((await set(alice, { b: [1, 2], a: 1 })).eventId, first.eventId);
        // Another content, or the same content from another sender, is a new event.
        const changed = await set(alice, { a: 2, b: [1, 2] });
        assert.notEqual(changed.eventId, first.eventId);
        const bobs = await set(bob, { a: 2, b: [1, 2] });
        assert.notEqual(bobs.eventId, changed.eventId);
        // A sender who may no longer send it is refused, not answered with the earlier event.
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.member',
          stateKey: bob,
          sender: bob,
          content: { membership: 'leave' },
        });
        await rejects(set(bob, { a: 2, b: [1, 2] }), 'M_FORBIDDEN');
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.member',
          stateKey: bob,
          sender: bob,
          content: { membership: 'join' },
        });
        // Without the option (federation-like callers, createRoom), the event is sent again.
        const repeated = await sendLocalEvent(deps, roomId, {
          type: 'a.test.state',
          stateKey: '',
          sender: bob,
          content: { a: 2, b: [1, 2] },
        });
        assert.notEqual(repeated.eventId, bobs.eventId);

        // A room has one create event: sending another is malformed, whatever the content.
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.create',
            stateKey: '',
            sender: alice,
            content: { room_version: versionId, entropy: 1 },
          }),
          'M_BAD_JSON',
        );
        // Content canonical JSON cannot encode is malformed too, not a server error.
        for (const content of [{ users: { [bob]: 2 ** 53 } }, { ratio: 1.5 }]) {
          await rejects(
            sendLocalEvent(deps, roomId, {
              type: 'm.room.power_levels',
              stateKey: '',
              sender: alice,
              content: content as never,
            }),
            'M_BAD_JSON',
          );
        }
        // A power level that is not an integer is malformed (400), a level beyond the sender's
        // a matter of power (403).
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.power_levels',
            stateKey: '',
            sender: alice,
            content: { users_default: 'high' },
          }),
          'M_BAD_JSON',
        );
        await rejects(
          sendLocalEvent(deps, roomId, {
            type: 'm.room.power_levels',
            stateKey: '',
            sender: bob,
            content: { users: { [bob]: 100 } },
          }),
          'M_FORBIDDEN',
        );
        if (version.privilegedCreators) {
          // v12: listing a creator in `users` is malformed.
          await rejects(
            sendLocalEvent(deps, roomId, {
              type: 'm.room.power_levels',
              stateKey: '',
              sender: alice,
              content: { users: { [alice]: 100 } },
            }),
            'M_BAD_JSON',
          );
        }
      }));
  }
}
