// The rooms and people of the access-control matrix (access-control-matrix.test.ts): one owner and
// one plain member, and beside them everyone who should not (or no longer) read or act: someone
// who never joined, members who left, were kicked or banned, an invitee who has not joined and
// one who declined. The same story runs in a private room, a public room with shared history and
// a public world_readable room, so each cell can be checked against each history rule.
//
// Every event sent after the departures carries AFTER in its text (or is listed in `after`), so
// a departed reader's answers can be searched for anything they must not see.
import assert from 'node:assert/strict';
import type { CallResult, ClientHarness, TestAccount } from '../support/client-harness.ts';
import { type RoomClient, roomClient, roomPath } from '../support/room-client.ts';

export const ACTORS = [
  'owner',
  'member',
  'outsider',
  'left',
  'kicked',
  'banned',
  'invited',
  'rejected',
] as const;
export type Actor = (typeof ACTORS)[number];

export const ROOM_KINDS = ['private', 'public', 'world'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/** What history an actor may read: all of it, up to their departure, or none. */
export type Reach = 'all' | 'until-departure' | 'none';

/** The text every post-departure event carries. */
export const AFTER = 'SECRET-AFTER';
export const TOPIC_BEFORE = 'topic before';
export const TOPIC_AFTER = `${AFTER} topic`;

/**
 * The spec's history visibility rules, room level: members read everything; anyone reads a
 * world_readable room; someone who was joined reads up to their last membership change (shared
 * history); an invitee who never joined, or who declined, reads nothing under shared history
 * (the "invited" rule does not apply), and neither does someone who never was in the room.
 * https://spec.matrix.org/latest/client-server-api/#history-visibility
 */
export function reachOf(actor: Actor, kind: RoomKind): Reach {
  if (actor === 'owner' || actor === 'member' || kind === 'world') return 'all';
  if (actor === 'left' || actor === 'kicked' || actor === 'banned') return 'until-departure';
  return 'none';
}

export const isJoined = (actor: Actor) => actor === 'owner' || actor === 'member';

export interface RoomStory {
  kind: RoomKind;
  roomId: string;
  /** Sent before the departures. */
  b: string;
  threadReplyBefore: string;
  reactionBefore: string;
  /** A message redacted after the departures. */
  d: string;
  /** Each departed actor's own message from before they went. */
  ownMessage: Partial<Record<Actor, string>>;
  /** Sent after the departures. */
  a: string;
  threadReplyAfter: string;
  /** The redaction of D. */
  redaction: string;
  /** Every event id from after the departures. */
  after: string[];
}

export interface Scenario {
  accounts: Record<Actor, TestAccount>;
  /** A joined member everyone tries to kick and ban. */
  victim: TestAccount;
  /** Someone never in the rooms, whom everyone tries to invite. */
  guest: TestAccount;
  rooms: Record<RoomKind, RoomStory>;
  /** Each actor's /sync token from just before the departures. */
  tokensBefore: Record<Actor, string>;
  /** The owner's /sync token once the story is told: a point after every event. */
  latestToken: string;
  rc: RoomClient;
}

const CREATE: Record<RoomKind, Record<string, unknown>> = {
  private: { preset: 'private_chat' },
  public: { preset: 'public_chat' },
  world: {
    preset: 'public_chat',
    initial_state: [
      {
        type: 'm.room.history_visibility',
        state_key: '',
        content: { history_visibility: 'world_readable' },
      },
    ],
  },
};

const text = (body: string, extra: Record<string, unknown> = {}) => ({
  msgtype: 'm.text',
  body,
  ...extra,
});
const threadReply = (root: string, body: string) =>
  text(body, {
    'm.relates_to': {
      rel_type: 'm.thread',
      event_id: root,
      is_falling_back: true,
      'm.in_reply_to': { event_id: root },
    },
  });
const reaction = (target: string, key: string) => ({
  'm.relates_to': { rel_type: 'm.annotation', event_id: target, key },
});

export async function buildScenario(client: ClientHarness): Promise<Scenario> {
  const rc = roomClient(client);
  const names: Record<Actor, string> = {
    owner: 'alice',
    member: 'mia',
    outsider: 'olga',
    left: 'lena',
    kicked: 'kim',
    banned: 'ben',
    invited: 'ivan',
    rejected: 'rita',
  };
  const accounts = {} as Record<Actor, TestAccount>;
  for (const actor of ACTORS) accounts[actor] = await client.newAccount(names[actor]);
  const victim = await client.newAccount('vic');
  const guest = await client.newAccount('gus');
  const { owner, member, left, kicked, banned, invited, rejected } = accounts;

  const before: Partial<
    Record<RoomKind, Omit<RoomStory, 'a' | 'threadReplyAfter' | 'redaction' | 'after'>>
  > = {};
  for (const kind of ROOM_KINDS) {
    const roomId = await rc.createRoom(owner, CREATE[kind]);
    await rc.setState(owner, roomId, 'm.room.topic', '', { topic: TOPIC_BEFORE });
    for (const joiner of [member, left, kicked, banned, victim]) {
      await rc.setMembership(owner, roomId, joiner.userId, 'invite');
      await rc.setMembership(joiner, roomId, joiner.userId, 'join');
    }
    await rc.setMembership(owner, roomId, rejected.userId, 'invite');
    await rc.setMembership(rejected, roomId, rejected.userId, 'leave');
    const ownMessage: Partial<Record<Actor, string>> = {};
    for (const actor of ['left', 'kicked', 'banned'] as const) {
      ownMessage[actor] = await rc.send(accounts[actor], roomId, text(`${actor} was here`));
    }
    const b = await rc.send(owner, roomId, text('message B, before'));
    before[kind] = {
      kind,
      roomId,
      b,
      threadReplyBefore: await rc.send(member, roomId, threadReply(b, 'thread reply, before')),
      reactionBefore: await rc.send(member, roomId, reaction(b, 'before'), 'm.reaction'),
      d: await rc.send(owner, roomId, text('message D, before, redacted later')),
      ownMessage,
    };
  }

  const tokensBefore = {} as Record<Actor, string>;
  for (const actor of ACTORS) tokensBefore[actor] = await syncToken(client, accounts[actor]);

  const rooms = {} as Record<RoomKind, RoomStory>;
  for (const kind of ROOM_KINDS) {
    const story = before[kind]!;
    const { roomId, b } = story;
    await rc.setMembership(left, roomId, left.userId, 'leave');
    await rc.setMembership(owner, roomId, kicked.userId, 'leave');
    await rc.setMembership(owner, roomId, banned.userId, 'ban');
    const after = [await rc.setMembership(owner, roomId, invited.userId, 'invite')];
    const a = await rc.send(owner, roomId, text(`message A, ${AFTER}`));
    const threadReplyAfter = await rc.send(member, roomId, threadReply(b, `reply, ${AFTER}`));
    after.push(a, threadReplyAfter);
    after.push(await rc.send(member, roomId, reaction(b, AFTER), 'm.reaction'));
    const edit = text(`* ${AFTER} edit`, {
      'm.new_content': text(`${AFTER} edit`),
      'm.relates_to': { rel_type: 'm.replace', event_id: b },
    });
    after.push(await rc.send(owner, roomId, edit));
    const redaction = await rc.redact(owner, roomId, story.d, `${AFTER} reason`);
    after.push(redaction);
    after.push(await rc.setState(owner, roomId, 'm.room.topic', '', { topic: TOPIC_AFTER }));
    rooms[kind] = { ...story, a, threadReplyAfter, redaction, after };
    // Ephemeral data from after the departures, which only the members may get: the owner types
    // and reads A.
    await ok(client, 'PUT', `${roomPath(roomId)}/typing/${enc(owner.userId)}`, owner, {
      typing: true,
      timeout: 60_000,
    });
    await ok(client, 'POST', `${roomPath(roomId)}/receipt/m.read/${enc(a)}`, owner, {});
  }
  // A device change and a presence of the owner's, which only those sharing a room with them may
  // hear of; and the outsider's own tag on the private room, which must not bring that room into
  // their sync.
  await ok(client, 'PUT', `/_matrix/client/v3/devices/${enc(owner.deviceId)}`, owner, {
    display_name: 'renamed laptop',
  });
  await ok(client, 'PUT', `/_matrix/client/v3/presence/${enc(owner.userId)}/status`, owner, {
    presence: 'online',
    status_msg: 'around',
  });
  const { outsider } = accounts;
  const privateRoom = enc(rooms.private.roomId);
  await ok(
    client,
    'PUT',
    `/_matrix/client/v3/user/${enc(outsider.userId)}/rooms/${privateRoom}/account_data/m.tag`,
    outsider,
    { tags: { 'u.peek': {} } },
  );
  return {
    accounts,
    victim,
    guest,
    rooms,
    tokensBefore,
    latestToken: await syncToken(client, owner),
    rc,
  };
}

const enc = encodeURIComponent;

async function ok(
  client: ClientHarness,
  method: string,
  url: string,
  as: TestAccount,
  body: unknown,
): Promise<void> {
  const result = await client.call(method, url, { token: as.accessToken, body });
  assert.equal(result.status, 200, `${method} ${url}: ${JSON.stringify(result.body)}`);
}

async function syncToken(client: ClientHarness, as: TestAccount): Promise<string> {
  const synced = await client.call('GET', '/_matrix/client/v3/sync?timeout=0', {
    token: as.accessToken,
  });
  assert.equal(synced.status, 200, JSON.stringify(synced.body));
  return synced.body.next_batch as string;
}

/**
 * Fails if a departed reader's answer holds anything from after their departure. The
 * `redacted_because` of an event redacted after it is left to its own (todo) cell in the matrix.
 */
export function assertNothingAfter(body: unknown, story: RoomStory, what: string): void {
  const json =
    JSON.stringify(body, (key, value) => (key === 'redacted_because' ? undefined : value)) ?? '';
  const around = (at: number) => json.slice(Math.max(0, at - 700), at + 300);
  const text = json.indexOf(AFTER);
  assert.ok(text < 0, `${what}: post-departure text leaked: ...${around(text)}...`);
  for (const eventId of story.after) {
    const at = json.indexOf(eventId);
    assert.ok(at < 0, `${what}: post-departure event ${eventId} leaked: ...${around(at)}...`);
  }
}

// The cells' shared vocabulary: what a cell expects, and where the room endpoints are.

// biome-ignore lint/suspicious/noExplicitAny: cells read whatever the server answered
export type Json = any;

/** What a cell expects: a status, the errcode of a refusal, and checks of an allowed answer. */
export interface Expected {
  status: number;
  errcode?: string;
  check?: (body: Json) => void;
}

export const allowed = (check?: (body: Json) => void): Expected => ({ status: 200, check });
export const FORBIDDEN: Expected = { status: 403, errcode: 'M_FORBIDDEN' };
export const NOT_FOUND: Expected = { status: 404, errcode: 'M_NOT_FOUND' };

export const v3 = (s: RoomStory) => `/_matrix/client/v3/rooms/${enc(s.roomId)}`;
export const v1 = (s: RoomStory) => `/_matrix/client/v1/rooms/${enc(s.roomId)}`;
export const idsOf = (events: Json[]): string[] => events.map((event) => event.event_id);

/** Checks one answer against its cell. */
export function expectAnswer(result: CallResult, expected: Expected, what: string): void {
  const shown = JSON.stringify(result.body)?.slice(0, 600);
  assert.equal(result.status, expected.status, `${what}: ${shown}`);
  if (expected.errcode) assert.equal(result.body?.errcode, expected.errcode, `${what}: ${shown}`);
  if (expected.status === 200) expected.check?.(result.body);
}
