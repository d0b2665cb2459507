// The federation fuzzer's peer: `origin.test`, whose signing key the server knows, in a public
// room of ours (`@bob:origin.test` joined it), and the PDUs and EDUs it sends: built like a real
// server's (right room, prev and auth events, hashed and signed), then broken in a few places, so
// that they reach the auth rules and the store rather than all stopping at the first check.
import fc from 'fast-check';
import type { ServerKeyStore } from '../../federation/keys/remote-keys.ts';
import { computeEventId } from '../../server/core/event-id.ts';
import type { JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import { roomDepsOf } from '../../server/rooms/room-deps.ts';
import { getCurrentState } from '../../server/storage/events.ts';
import type { ClientHarness } from '../support/client-harness.ts';
import { TEST_NOW } from '../support/databases.ts';
import { remoteSigningKey, roomWithRemoteMember } from '../support/federation-request.ts';
import { roomClient } from '../support/room-client.ts';
import { type FuzzBody, poolOf } from './fuzz-inputs.ts';
import type { Route } from './fuzz-runner.ts';
import { mutated } from './fuzz-values.ts';

export const ORIGIN = 'origin.test';
export const BOB = `@bob:${ORIGIN}`;
const VERSION = getRoomVersion('10')!;

// Every server's key is derived from its name (support/federation-request.ts), so any origin a
// test picks can sign, and this store knows all of them without fetching.
export const knownKeys: ServerKeyStore = {
  getVerifyKey: async (serverName, keyId) => {
    const key = remoteSigningKey(serverName);
    return keyId === key.keyId ? key.publicKeyBase64 : undefined;
  },
  getKeyResponses: async () => [],
};

/** A body for a route that takes events, and mostly the room and event id to put in its path. */
export interface PeerBody {
  readonly body: FuzzBody;
  readonly inPath: { roomId: string; eventId: string | undefined } | undefined;
}

/**
 * For routes that take events, bodies a peer would send: PDUs of `origin.test` in the room,
 * built on its current state, mutated in places, then (mostly) hashed and signed so that they
 * get past the signature checks into the auth rules and persistence.
 */
export function eventBody(route: Route, world: World): fc.Arbitrary<PeerBody> | undefined {
  const json = (value: unknown, eventId?: string) =>
    fc.constantFrom(true, true, true, false).map((pinned) => ({
      body: {
        kind: 'peer-events',
        payload: JSON.stringify(value),
        contentType: 'application/json',
      },
      inPath: pinned ? { roomId: world.roomId, eventId } : undefined,
    }));
  const membership = /\/(send_join|send_leave|send_knock|invite)\//.exec(route.path)?.[1];
  if (route.path.endsWith('/send/:txnId')) {
    return fc
      .record({
        pdus: fc.array(peerPdu(world, 'm.room.message'), { maxLength: 4 }),
        edus: fc.array(peerEdu(world), { maxLength: 3 }),
      })
      .chain(({ pdus, edus }) =>
        mutated({ origin: ORIGIN, origin_server_ts: TEST_NOW, pdus: [], edus: [] }).map(
          (envelope) => ({
            ...(envelope as object),
            pdus: pdus.map((each) => each.pdu),
            edus,
          }),
        ),
      )
      .chain((body) => json(body));
  }
  if (membership === undefined) return undefined;
  const type = { send_join: 'join', send_leave: 'leave', send_knock: 'knock', invite: 'invite' }[
    membership
  ]!;
  return peerPdu(world, 'm.room.member', type).chain(({ pdu, eventId }) =>
    membership === 'invite'
      ? json({ room_version: '10', event: pdu, invite_room_state: [] }, eventId)
      : json(pdu, eventId),
  );
}

export function peerPdu(
  world: World,
  type: string,
  membership?: string,
  mutate = true,
): fc.Arbitrary<{ pdu: unknown; eventId: string | undefined }> {
  const sender = membership === 'invite' || membership === undefined ? BOB : `@newcomer:${ORIGIN}`;
  const template = (body: string, ts: number): JsonObject => ({
    room_id: world.roomId,
    sender,
    type,
    content: membership ? { membership, displayname: body } : { msgtype: 'm.text', body },
    depth: 100,
    prev_events: [world.latest],
    // What the auth events selection gives: create, power levels, the sender's membership, and
    // for a membership event the join rules (a newcomer has no membership yet).
    auth_events: membership
      ? [
          world.auth.create,
          world.auth.power,
          world.auth.joinRules,
          ...(sender === BOB ? [world.auth.bob] : []),
        ]
      : [world.auth.create, world.auth.power, world.auth.bob],
    origin_server_ts: ts,
    hashes: {},
    signatures: {},
    ...(membership ? { state_key: membership === 'invite' ? world.carol.userId : sender } : {}),
  });
  // Different text and times, so that unbroken PDUs are new events, not repeats of one.
  const fresh = fc
    .tuple(fc.string({ maxLength: 20 }), fc.nat(1_000_000))
    .map(([body, ms]) => template(body, TEST_NOW + ms));
  const shaped = mutate
    ? fresh.chain((each) => mutated(each))
    : fc.constant(template('clean', TEST_NOW));
  return fc
    .tuple(shaped, mutate ? fc.constantFrom(true, true, true, false) : fc.constant(true))
    .map(([pdu, sign]) => {
      if (!sign || typeof pdu !== 'object' || pdu === null) return { pdu, eventId: undefined };
      try {
        const signer = {
          serverName: ORIGIN,
          keyId: remoteSigningKey(ORIGIN).keyId,
          key: remoteSigningKey(ORIGIN).privateKey,
        };
        // Signed: the sender's own hashes and signatures replace whatever the mutation left there.
        const signed = hashAndSignEvent(
          VERSION,
          { ...(pdu as Pdu), hashes: {}, signatures: {} },
          signer,
        );
        return { pdu: signed, eventId: computeEventId(VERSION, signed) };
      } catch {
        return { pdu, eventId: undefined };
      }
    });
}

function peerEdu(world: World): fc.Arbitrary<unknown> {
  const templates: JsonObject[] = [
    { edu_type: 'm.typing', content: { room_id: world.roomId, user_id: BOB, typing: true } },
    {
      edu_type: 'm.receipt',
      content: {
        [world.roomId]: {
          'm.read': { [BOB]: { event_ids: [world.latest], data: { ts: TEST_NOW } } },
        },
      },
    },
    {
      edu_type: 'm.presence',
      content: { push: [{ user_id: BOB, presence: 'online', last_active_ago: 0 }] },
    },
    {
      edu_type: 'm.direct_to_device',
      content: {
        sender: BOB,
        type: 'm.room_key_request',
        message_id: 'm1',
        messages: { [world.alice.userId]: { '*': { a: 1 } } },
      },
    },
    {
      edu_type: 'm.device_list_update',
      content: {
        user_id: BOB,
        device_id: 'PHONE',
        stream_id: 1,
        prev_id: [],
        deleted: false,
        keys: {},
      },
    },
    {
      edu_type: 'm.signing_key_update',
      content: { user_id: BOB, master_key: { user_id: BOB, usage: ['master'], keys: {} } },
    },
  ];
  return fc.constantFrom(...templates).chain((template) => mutated(template));
}

export type World = Awaited<ReturnType<typeof buildWorld>>;

/**
 * A public room of `alice` that `@bob:origin.test` joined (so origin.test may read it and send
 * to it), with history; and `carol`, a bystander with a private room that no peer is in.
 */
export async function buildWorld(client: ClientHarness) {
  const alice = await client.newAccount('alice');
  const carol = await client.newAccount('carol');
  const deps = {
    ...roomDepsOf(client.ctx),
    exchangeInvite: async (_version: unknown, invite: Pdu) => invite,
  };
  const { roomId } = await roomWithRemoteMember({ deps, serverName: 'example.org' } as never, {
    remoteServer: ORIGIN,
  });
  const rooms = roomClient(client);
  const message = await rooms.send(alice, roomId, { msgtype: 'm.text', body: 'hello' });
  const carolRoom = await rooms.createRoom(carol, { preset: 'private_chat' });
  const carolMessage = await rooms.send(carol, carolRoom, { msgtype: 'm.text', body: 'mine' });
  const state = await getCurrentState(client.db, roomId);
  const at = (type: string, key = '') => state.get(`${type}\u0000${key}`)!;
  const auth = {
    create: at('m.room.create'),
    power: at('m.room.power_levels'),
    joinRules: at('m.room.join_rules'),
    bob: at('m.room.member', BOB),
  };

  const values: Record<string, string[]> = {
    roomId: [roomId, carolRoom, '!nowhere:example.org'],
    eventId: [message, carolMessage, ...Object.values(auth), '$nowhere'],
    userId: [BOB, `@newcomer:${ORIGIN}`, alice.userId, carol.userId, '@nobody:example.org'],
    serverName: ['example.org', ORIGIN, 'stranger.test'],
    txnId: ['t1', 't2'],
    mediaId: ['none'],
    room_alias: ['#none:example.org'],
    ver: ['10', '11', '1'],
    v: [message],
  };
  values.user_id = values.userId!;
  values.event_id = values.eventId!;
  values.room_id = values.roomId!;
  return { alice, carol, roomId, carolRoom, latest: message, auth, pool: poolOf(values) };
}
