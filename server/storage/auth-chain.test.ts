// Auth chains from storage on both databases: the closure through auth_events, with unknown ids
// and other rooms' events left out and not walked through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { getRoomVersion } from '../core/room-versions.ts';
import { createRoom } from '../rooms/create-room.ts';
import { roomDepsOf } from '../rooms/room-deps.ts';
import { sendLocalEvent } from '../rooms/send-local-event.ts';
import { loadAuthChain, loadAuthClosure } from './auth-chain.ts';
import { getCurrentState } from './events.ts';

const version = getRoomVersion('10')!;

for (const kind of DATABASE_KINDS) {
  test(`${kind}: auth chains stay in their room`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const deps = roomDepsOf(buildTestContext(db));
      const newRoom = () =>
        createRoom(deps, {
          creator: '@alice:example.org',
          version,
          preset: 'public_chat',
          isPublic: false,
          invite: [],
          initialState: [],
          isDirect: false,
        });
      const roomId = await newRoom();
      const otherRoomId = await newRoom();
      const message = await sendLocalEvent(deps, roomId, {
        type: 'm.room.message',
        sender: '@alice:example.org',
        content: { body: 'hi' },
      });
      const state = await getCurrentState(db, roomId);
      const create = state.get('m.room.create\u0000')!;
      const power = state.get('m.room.power_levels\u0000')!;
      const member = state.get('m.room.member\u0000@alice:example.org')!;

      const chain = await loadAuthChain(db, version, roomId, [message]);
      assert.deepEqual(
        chain.map((event) => event.eventId),
        [create, member, power],
        'in the order stored',
      );
      const closure = await loadAuthClosure(db, version, roomId, [message.eventId, '$unknown']);
      assert.deepEqual(
        closure.map((event) => event.eventId),
        [create, member, power, message.eventId],
      );
      // Another room's event: not returned, and its chain not walked.
      const otherCreate = (await getCurrentState(db, otherRoomId)).get('m.room.create\u0000')!;
      const otherPower = (await getCurrentState(db, otherRoomId)).get('m.room.power_levels\u0000')!;
      assert.deepEqual(await loadAuthClosure(db, version, roomId, [otherPower, otherCreate]), []);
      assert.deepEqual(await loadAuthClosure(db, version, roomId, []), []);
    }));
}
