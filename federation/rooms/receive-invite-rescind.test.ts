// A knock of ours denied by the room, on both databases: the room's server (host.test, played by
// the test) sends the leave of our knocker in a /send transaction, and /sync moves the room from
// `knock` to `leave`. A leave we cannot tie to the knock (unsigned or badly signed, for another
// user, not citing the knock, relayed by a server other than its sender's, the knocker's own)
// is ignored: not listed in the answer, and the knock stays pending.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClientHarness, withClient } from '../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS, TEST_SERVER_NAME } from '../../conformance-tests/support/databases.ts';
import { remoteSigningKey } from '../../conformance-tests/support/federation-request.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { Pdu } from '../../server/core/pdu.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import { eventSignerOf } from '../../server/rooms/room-deps.ts';
import { getCurrentMember } from '../../server/storage/room-members.ts';
import {
  BOB,
  federationAppFor,
  HOST,
  hostKey,
  hostRoomStart,
  hostVersion,
  OWNER,
  putAs,
  hostEvent as roomEvent,
} from './stand-in-host.ts';
import { storeRemoteInvite } from './store-remote-invite.ts';

const ROOM = `!knockable:${HOST}`;
const version = hostVersion;
const _hostEvent = (fields: Parameters<typeof roomEvent>[1]) => roomEvent(ROOM, fields);
const OTHER = 'other.test';
const MOD = `@mod:${OTHER}`;
const ALICE = `@alice:${TEST_SERVER_NAME}`;

/** Bob's knock, stored as knock-remote-room.ts stores it, and a way to send /send as a server. */
async function knockedRoom(client: ClientHarness) {
  const { create, joinRule } = hostRoomStart(ROOM);
  const knock = withEventId(
    version,
    hashAndSignEvent(
      version,
      {
        room_id: ROOM,
        type: 'm.room.member',
        state_key: BOB,
        sender: BOB,
        content: { membership: 'knock' },
        origin_server_ts: 2000,
        depth: 5,
        prev_events: [joinRule.eventId],
        auth_events: [create.eventId, joinRule.eventId],
        hashes: {},
        signatures: {},
      },
      eventSignerOf(client.ctx),
    ),
  );
  const stripped = [create, joinRule].map(({ pdu }) => ({
    type: pdu.type,
    state_key: pdu.state_key ?? '',
    sender: pdu.sender,
    content: pdu.content,
  }));
  await storeRemoteInvite(client.ctx, version, knock, stripped);

  const { app } = await federationAppFor(client.ctx);
  let txn = 0;
  /** The transaction's answer for these PDUs, sent by `origin`. */
  const send = async (pdus: Pdu[], origin = HOST) => {
    txn += 1;
    const body = { origin, origin_server_ts: 3000, pdus };
    const answer = await putAs(app, `/_matrix/federation/v1/send/knock-${txn}`, body, origin);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as { pdus: Record<string, object> };
  };
  /** A leave of `target` by `sender`, signed by the sender's server, citing `cites`. */
  const leave = (
    fields: { target?: string; sender?: string; cites?: string[]; membership?: string } = {},
  ) => {
    const sender = fields.sender ?? OWNER;
    const server = sender.slice(sender.indexOf(':') + 1);
    const key = server === HOST ? hostKey : remoteSigningKey(server);
    return withEventId(
      version,
      hashAndSignEvent(
        version,
        {
          room_id: ROOM,
          type: 'm.room.member',
          state_key: fields.target ?? BOB,
          sender,
          content: { membership: fields.membership ?? 'leave', reason: 'not now' },
          origin_server_ts: 2500,
          depth: 6,
          prev_events: [knock.eventId],
          auth_events: fields.cites ?? [create.eventId, knock.eventId],
          hashes: {},
          signatures: {},
        },
        { serverName: server, keyId: key.keyId, key: key.privateKey },
      ),
    );
  };
  return { app, knock, send, leave };
}

async function syncRooms(client: ClientHarness, token: string, since?: string) {
  const query = since === undefined ? 'timeout=0' : `since=${since}&timeout=0`;
  const result = await client.call('GET', `/_matrix/client/v3/sync?${query}`, { token });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return {
    next: result.body.next_batch as string,
    // biome-ignore lint/suspicious/noExplicitAny: the sync body is checked against the spec
    rooms: result.body.rooms as Record<'knock' | 'leave' | 'invite' | 'join', Record<string, any>>,
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a moderator's denial of our knock moves the room to leave in /sync`, (t) =>
    withClient(t, kind, async (client) => {
      const bob = await client.newAccount('bob');
      const { app, send, leave } = await knockedRoom(client);
      t.after(() => app.close());
      const first = await syncRooms(client, bob.accessToken);
      assert.ok(first.rooms.knock[ROOM], 'the knock is pending');

      const denial = leave();
      assert.deepEqual(await send([denial.pdu]), { pdus: { [denial.eventId]: {} } });
      const member = await getCurrentMember(client.db, ROOM, BOB);
      assert.equal(member?.eventId, denial.eventId);
      assert.equal(member?.membership, 'leave');

      const after = await syncRooms(client, bob.accessToken, first.next);
      assert.equal(after.rooms.knock[ROOM], undefined, 'no longer a pending knock');
      const left = after.rooms.leave[ROOM];
      assert.ok(left, 'the room is under leave');
      const ids = left.timeline.events.map((event: { event_id: string }) => event.event_id);
      assert.ok(ids.includes(denial.eventId), 'the denial is in the timeline');

      // The same denial again (another transaction) is no longer an end of anything.
      assert.deepEqual(await send([denial.pdu]), { pdus: {} });
      assert.equal((await getCurrentMember(client.db, ROOM, BOB))?.eventId, denial.eventId);
      const again = await syncRooms(client, bob.accessToken, after.next);
      assert.equal(again.rooms.leave[ROOM], undefined, 'nothing new to sync');
    }));

  test(`${kind}: a ban of the knocker by a moderator on a third server ends the knock too`, (t) =>
    withClient(t, kind, async (client) => {
      await client.newAccount('bob');
      const { app, send, leave } = await knockedRoom(client);
      t.after(() => app.close());
      const ban = leave({ sender: MOD, membership: 'ban' });
      assert.deepEqual(await send([ban.pdu], OTHER), { pdus: { [ban.eventId]: {} } });
      assert.equal((await getCurrentMember(client.db, ROOM, BOB))?.membership, 'ban');
    }));

  test(`${kind}: a leave that cannot be tied to our knock is ignored`, (t) =>
    withClient(t, kind, async (client) => {
      const bob = await client.newAccount('bob');
      await client.newAccount('alice');
      const { app, knock, send, leave } = await knockedRoom(client);
      t.after(() => app.close());

      const unsigned = { ...leave().pdu, signatures: {} };
      // Signed, then changed in a field the signature covers.
      const forged = { ...leave().pdu, origin_server_ts: 9999 };
      // Signed by a server that is not the sender's.
      const otherKey = remoteSigningKey(OTHER);
      const misSigned = hashAndSignEvent(
        version,
        { ...leave().pdu, hashes: {}, signatures: {} },
        { serverName: OTHER, keyId: otherKey.keyId, key: otherKey.privateKey },
      );
      const refused: [string, Pdu, string?][] = [
        ['unsigned', unsigned],
        ['forged', forged],
        ['signed by another server', misSigned],
        ['for a user of ours who is not knocking', leave({ target: ALICE }).pdu],
        ['for a remote user', leave({ target: `@carol:${HOST}` }).pdu],
        ['not citing the knock', leave({ cites: [] }).pdu],
        ['relayed by a server other than its sender’s', leave({ sender: MOD }).pdu, HOST],
        ['sent as the knocker', leave({ sender: BOB }).pdu],
      ];
      for (const [why, pdu, origin] of refused) {
        const answer = await send([pdu], origin ?? HOST);
        assert.deepEqual(answer, { pdus: {} }, why);
        const member = await getCurrentMember(client.db, ROOM, BOB);
        assert.equal(member?.eventId, knock.eventId, `${why}: the knock is still current`);
      }
      assert.equal(await getCurrentMember(client.db, ROOM, ALICE), undefined);
      const sync = await syncRooms(client, bob.accessToken);
      assert.ok(sync.rooms.knock[ROOM], 'the knock is still pending in /sync');
      assert.equal(sync.rooms.leave[ROOM], undefined);
    }));
}
