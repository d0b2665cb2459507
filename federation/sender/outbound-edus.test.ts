// Local users' typing, read receipts and presence become EDUs in transactions to the servers of
// their rooms, shaped as the spec's EDU schemas say; remote users' and private receipts do not.
// Both databases, the real transport, an HTTPS peer on loopback.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import {
  DATABASE_KINDS,
  TEST_NOW,
  TEST_SERVER_NAME,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { specDataDir } from '../../conformance-tests/support/openapi-validator.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { setReceipt } from '../../server/ephemeral/set-receipt.ts';
import { updatePresence } from '../../server/presence/presence-writer.ts';
import { createRoom } from '../../server/rooms/create-room.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { sendLocalEvent } from '../../server/rooms/send-local-event.ts';
import { getEvent } from '../../server/storage/events.ts';
import { createFederationSender } from './federation-sender.ts';
import { startTestPeers, waitFor } from './test-peer.ts';

const alice = `@alice:${TEST_SERVER_NAME}`;
const bob = '@bob:remote.test';

/** The spec's schema for each EDU type (data/api/server-server/definitions/event-schemas). */
function eduSchemas(): Map<string, (edu: unknown) => boolean> {
  const dir = join(specDataDir(), 'api', 'server-server', 'definitions');
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  const load = (path: string) => parseYaml(readFileSync(join(dir, path), 'utf8'));
  ajv.addSchema(load('edu.yaml'), pathToFileURL(join(dir, 'edu.yaml')).href);
  const schemas = new Map<string, (edu: unknown) => boolean>();
  for (const type of ['m.typing', 'm.receipt', 'm.presence']) {
    const path = join('event-schemas', `${type}.yaml`);
    const validate = ajv.compile({ ...load(path), $id: pathToFileURL(join(dir, path)).href });
    schemas.set(type, (edu) => validate(edu) || assert.fail(ajv.errorsText(validate.errors)));
  }
  return schemas;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: typing, m.read receipts and presence of local users go to the room's servers`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const peers = await startTestPeers(['remote.test']);
      peers.route('remote.test');
      const ctx = buildTestContext(db);
      const deps = roomDepsOf(ctx);
      const sender = createFederationSender({
        db,
        serverName: TEST_SERVER_NAME,
        client: peers.transport(TEST_SERVER_NAME, ctx.signingKey).client,
        roomEvents: ctx.roomEvents,
        eventStream: ctx.eventStream,
        typing: ctx.typing,
        logger: ctx.logger,
        // The context's fixed clock: presence is shown as of the time it was set.
        now: ctx.now,
      });
      try {
        await sender.start();
        const roomId = await createRoom(deps, {
          creator: alice,
          version: getRoomVersion('10')!,
          preset: 'public_chat',
          isPublic: false,
          invite: [],
          initialState: [],
          isDirect: false,
        });
        await sendLocalEvent(deps, roomId, {
          type: 'm.room.member',
          sender: bob,
          stateKey: bob,
          content: { membership: 'join' },
        });
        const message = await sendLocalEvent(deps, roomId, {
          type: 'm.room.message',
          sender: alice,
          content: { msgtype: 'm.text', body: 'hi' },
        });
        const edus = () => peers.processed('remote.test').flatMap((txn) => txn.edus);
        const ofType = (type: string) => edus().filter((edu) => edu.edu_type === type);

        ctx.typing.setTyping(roomId, bob, 30_000); // a remote user's: never sent back
        ctx.typing.setTyping(roomId, alice, 30_000);
        await waitFor('typing', () => ofType('m.typing').length === 1);
        ctx.typing.setTyping(roomId, alice, undefined);
        await waitFor('stopped typing', () => ofType('m.typing').length === 2);
        assert.deepEqual(
          ofType('m.typing').map((edu) => edu.content),
          [
            { room_id: roomId, user_id: alice, typing: true },
            { room_id: roomId, user_id: alice, typing: false },
          ],
        );

        const receiptDeps = {
          db,
          locks: ctx.roomLocks,
          now: ctx.now,
          onReceipt: sender.receiptWritten.bind(sender),
        };
        const event = (await getEvent(db, message.eventId))!;
        const read = { userId: alice, event, threadId: undefined };
        await setReceipt(receiptDeps, { ...read, receiptType: 'm.read.private' });
        await setReceipt(receiptDeps, { ...read, receiptType: 'm.read' });
        await waitFor('the receipt', () => ofType('m.receipt').length === 1);
        assert.deepEqual(ofType('m.receipt')[0]!.content, {
          [roomId]: {
            'm.read': { [alice]: { event_ids: [message.eventId], data: { ts: TEST_NOW } } },
          },
        });

        const presenceCtx = { ...ctx, onPresencePublished: sender.presencePublished.bind(sender) };
        await updatePresence(presenceCtx, alice, {
          kind: 'set',
          state: 'online',
          statusMsg: 'cooking',
        });
        await waitFor('presence', () => ofType('m.presence').length === 1);
        const push = (ofType('m.presence')[0]!.content as { push: JsonObject[] }).push;
        assert.equal(push.length, 1);
        assert.equal(push[0]!.user_id, alice);
        assert.equal(push[0]!.presence, 'online');
        assert.equal(push[0]!.status_msg, 'cooking');
        assert.equal(typeof push[0]!.last_active_ago, 'number');

        const schemas = eduSchemas();
        assert.throws(() => schemas.get('m.typing')!({ edu_type: 'm.typing', content: {} }));
        for (const edu of edus()) schemas.get(String(edu.edu_type))!(edu);
        assert.equal(
          edus().filter((edu) => JSON.stringify(edu).includes(bob)).length,
          0,
          'nothing about the remote user goes back to it',
        );
      } finally {
        await sender.stop();
        await peers.close();
      }
    }));
}
