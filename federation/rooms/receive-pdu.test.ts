// Receiving PDUs on both databases: a state event on a fork of the room's DAG (its prev_events
// are not every forward extremity) makes the room's current state the resolution of the forks,
// and that resolution keeps the event itself, though it is not stored until after it. Within one
// batch (receive-cache.ts), forks of messages sharing one state read it once, a state event on
// one of them still changes the resolved state, and an event stored as an outlier then received
// twice is taken once (the cached outlier row is forgotten once it is replaced).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely, KyselyPlugin } from 'kysely';
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
import { persistOutliers } from '../../server/rooms/persist-outliers.ts';
import { getForwardExtremities } from '../../server/storage/events.ts';
import type { Database } from '../../server/storage/schema.ts';
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

/** A handle on `db` counting the statements that read a state group (a raw recursive query). */
function countingStateReads(db: Kysely<Database>) {
  const counter = { reads: 0, db: db as Kysely<Database> };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      const node = args.node as { kind: string; sqlFragments?: readonly string[] };
      if (node.kind === 'RawNode' && node.sqlFragments?.join('').includes('state_group_entries')) {
        counter.reads++;
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  counter.db = db.withPlugin(plugin);
  return counter;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: one batch of messages on many forks reads their shared state once`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, []);
      t.after(() => server.close());
      const { roomId, bob } = await roomWithRemoteMember(server);
      const ids = async (type: string, key = '') =>
        (await currentStateEventIds(db, roomId, [[type, key]]))[0]!;
      const [create, power, bobJoin] = [
        await ids('m.room.create'),
        await ids('m.room.power_levels'),
        await ids('m.room.member', bob),
      ];
      const [tip] = await getForwardExtremities(db, roomId);
      let ts = TEST_NOW + 1000;
      const build = (prevs: string[], depth: number, fields: JsonObject) =>
        withEventId(
          version,
          hashAndSignEvent(
            version,
            {
              room_id: roomId,
              sender: bob,
              origin_server_ts: ts++,
              depth,
              prev_events: prevs,
              auth_events: [create, power, bobJoin],
              hashes: {},
              signatures: {},
              ...fields,
            } as Pdu,
            signer,
          ),
        );
      const message = (prevs: string[], depth: number, body: string) =>
        build(prevs, depth, { type: 'm.room.message', content: { msgtype: 'm.text', body } });
      // Ten forks from one event, then two events citing all ten (as Synapse cites up to ten
      // prev_events): every fork has the one state the room had.
      const forks = Array.from({ length: 10 }, (_, i) =>
        message([tip!.eventId], tip!.depth + 1, `f${i}`),
      );
      const forkIds = forks.map((each) => each.eventId);
      const joined = [
        message(forkIds, tip!.depth + 2, 'j0'),
        message(forkIds, tip!.depth + 2, 'j1'),
      ];
      const counting = countingStateReads(db);
      const deps = { ...server.deps, db: counting.db, serverKeys };
      const outcomes = await receivePdus(
        deps,
        roomId,
        version,
        [...forks, ...joined].map((each) => each.pdu),
        undefined,
      );
      assert.deepEqual(
        outcomes.map((each) => each.status),
        Array(12).fill('accepted'),
      );
      assert.equal(counting.reads, 1, 'the state all forks share is read once');
      assert.deepEqual(
        (await getForwardExtremities(db, roomId)).map((x) => x.eventId).sort(),
        joined.map((each) => each.eventId).sort(),
      );
      assert.equal(await ids('m.room.member', bob), bobJoin, 'messages change no state');

      // Next batch: bob renames himself on one fork, then a message on the other: the room's
      // state is the resolution of both forks, which keeps the rename.
      const rename = build([joined[0]!.eventId], tip!.depth + 3, {
        type: 'm.room.member',
        state_key: bob,
        content: { membership: 'join', displayname: 'Bob' },
      });
      const after = message([joined[1]!.eventId], tip!.depth + 3, 'after');
      const more = await receivePdus(deps, roomId, version, [rename.pdu, after.pdu], undefined);
      assert.deepEqual(
        more.map((each) => each.status),
        ['accepted', 'accepted'],
      );
      assert.equal(await ids('m.room.member', bob), rename.eventId);
      assert.deepEqual(
        (await getForwardExtremities(db, roomId)).map((x) => x.eventId).sort(),
        [rename.eventId, after.eventId].sort(),
      );
    }));

  test(`${kind}: an outlier received twice in one batch is taken once`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const server = await startFederationTestServer(db, []);
      t.after(() => server.close());
      const { roomId, bob } = await roomWithRemoteMember(server);
      const ids = async (type: string, key = '') =>
        (await currentStateEventIds(db, roomId, [[type, key]]))[0]!;
      const [tip] = await getForwardExtremities(db, roomId);
      const event = withEventId(
        version,
        hashAndSignEvent(
          version,
          {
            room_id: roomId,
            type: 'm.room.message',
            sender: bob,
            content: { msgtype: 'm.text', body: 'twice' },
            origin_server_ts: TEST_NOW + 1000,
            depth: tip!.depth + 1,
            prev_events: [tip!.eventId],
            auth_events: [
              await ids('m.room.create'),
              await ids('m.room.power_levels'),
              await ids('m.room.member', bob),
            ],
            hashes: {},
            signatures: {},
          } as Pdu,
          signer,
        ),
      );
      const deps = { ...server.deps, serverKeys };
      // Known first as an outlier (say, from another event's auth chain or a state answer).
      await persistOutliers(deps, roomId, [{ event }]);
      const outcomes = await receivePdus(deps, roomId, version, [event.pdu, event.pdu], undefined);
      assert.deepEqual(outcomes, [
        { eventId: event.eventId, status: 'accepted' },
        { eventId: event.eventId, status: 'duplicate' },
      ]);
      assert.deepEqual(
        (await getForwardExtremities(db, roomId)).map((x) => x.eventId),
        [event.eventId],
      );
    }));
}
