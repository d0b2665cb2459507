// Receiving PDUs on both databases: a state event on a fork of the room's DAG (its prev_events
// are not every forward extremity) makes the room's current state the resolution of the forks,
// and that resolution keeps the event itself, though it is not stored until after it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import {
  remoteSigningKey,
  roomWithRemoteMember,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import { getForwardExtremities } from '../../server/storage/events.ts';
import { currentStateEventIds } from '../../server/storage/sync-room-summary.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';
import { receivePdus } from './receive-pdu.ts';

const REMOTE = 'origin.test';
const version = getRoomVersion('10')!;
const remoteKey = remoteSigningKey(REMOTE);
const signer = { serverName: REMOTE, keyId: remoteKey.keyId, key: remoteKey.privateKey };
const serverKeys: Pick<ServerKeyStore, 'getVerifyKey'> = {
  getVerifyKey: async (serverName, keyId) => {
    const key = remoteSigningKey(serverName);
    return keyId === key.keyId ? key.publicKeyBase64 : undefined;
  },
};

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a state event received on a fork is in the resolved current state`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, []);
      t.after(() => server.close());
      const { roomId, bob } = await roomWithRemoteMember(server);
      const carol = `@carol:${REMOTE}`;
      const ids = async (type: string, key = '') =>
        (await currentStateEventIds(db, roomId, [[type, key]]))[0]!;
      const [create, power, joinRule, bobJoin] = [
        await ids('m.room.create'),
        await ids('m.room.power_levels'),
        await ids('m.room.join_rules'),
        await ids('m.room.member', bob),
      ];
      const [tip] = await getForwardExtremities(db, roomId);
      const build = (sender: string, content: JsonObject, authEvents: string[]) =>
        withEventId(
          version,
          hashAndSignEvent(
            version,
            {
              room_id: roomId,
              type: 'm.room.member',
              state_key: sender,
              sender,
              content,
              // Later than bob's join: at the same mainline position, the later event wins.
              origin_server_ts: TEST_NOW + 1000,
              depth: tip!.depth + 1,
              prev_events: [tip!.eventId],
              auth_events: authEvents,
              hashes: {},
              signatures: {},
            } as Pdu,
            signer,
          ),
        );
      // Two events of origin.test with the same prev_event: bob renames himself while carol
      // joins. The second arrives when the first is the room's only forward extremity.
      const rename = build(bob, { membership: 'join', displayname: 'Bob' }, [
        create,
        power,
        bobJoin,
      ]);
      const carolJoin = build(carol, { membership: 'join' }, [create, power, joinRule]);
      const deps = { ...server.deps, serverKeys };
      for (const event of [rename, carolJoin]) {
        const [outcome] = await receivePdus(deps, roomId, version, [event.pdu], undefined);
        assert.deepEqual(outcome, { eventId: event.eventId, status: 'accepted' });
      }

      assert.deepEqual(
        (await getForwardExtremities(db, roomId)).map((x) => x.eventId).sort(),
        [rename.eventId, carolJoin.eventId].sort(),
      );
      assert.equal(await ids('m.room.member', bob), rename.eventId);
      assert.equal(await ids('m.room.member', carol), carolJoin.eventId, 'carol is in the room');
    }));
}
