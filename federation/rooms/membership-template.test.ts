// make_join's template on both databases: a remote user may join a public room (the join rule is
// read from the room's state) and is refused in an invite-only room they were not invited to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { MatrixError } from '../../server/http/matrix-error.ts';
import { createRoom } from '../../server/rooms/create-room.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import type { FederationContext } from '../federation-context.ts';
import { buildMembershipTemplate } from './membership-template.ts';

const alice = '@alice:example.org';
const remote = '@carol:remote.test';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: make_join follows the room's join rule`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ctx = buildTestContext(db);
      const deps = roomDepsOf(ctx);
      const room = (preset: 'public_chat' | 'private_chat') =>
        createRoom(deps, {
          creator: alice,
          version: getRoomVersion('11')!,
          preset,
          isPublic: false,
          invite: [],
          initialState: [],
          isDirect: false,
        });
      const template = (roomId: string) =>
        buildMembershipTemplate(ctx as unknown as FederationContext, {
          roomId,
          userId: remote,
          origin: 'remote.test',
          membership: 'join',
          supportedVersions: ['11'],
        });

      const open = await template(await room('public_chat'));
      assert.equal(open.room_version, '11');
      assert.equal(open.event.state_key, remote);
      assert.deepEqual(open.event.content, { membership: 'join' });

      const closed = await room('private_chat');
      await assert.rejects(
        template(closed),
        (err) => err instanceof MatrixError && err.status === 403 && /invite/.test(err.message),
      );
    }));
}
