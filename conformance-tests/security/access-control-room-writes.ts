// The room writes of the access-control matrix (access-control-matrix.test.ts): each actor of
// access-control-scenario.ts tries to send, set state, redact, invite, kick, ban, unban, join,
// type, send receipts and read markers, and touch room account data, in each kind of room. A
// refusal must also leave the room's events as they were.
import assert from 'node:assert/strict';
import type { ClientHarness } from '../support/client-harness.ts';
import { countEvents } from '../support/room-fixtures.ts';
import {
  ACTORS,
  type Actor,
  allowed,
  type Expected,
  expectAnswer,
  FORBIDDEN,
  isJoined,
  NOT_FOUND,
  ROOM_KINDS,
  type RoomStory,
  reachOf,
  type Scenario,
  v3,
} from './access-control-scenario.ts';

const enc = encodeURIComponent;

interface WriteCell {
  name: string;
  /** undefined: the cell does not apply to this actor in this room. */
  expect: (actor: Actor, s: RoomStory) => Expected | undefined;
  request: (
    actor: Actor,
    s: RoomStory,
    scenario: Scenario,
  ) => { method: string; url: string; body: unknown };
  /** Whether a refusal must leave the room's events as they were. */
  storesEvents: boolean;
}

let txn = 0;
const other = (actor: Actor, scenario: Scenario) =>
  scenario.accounts[actor === 'owner' ? 'member' : 'owner'].userId;

const ROOM_WRITES: WriteCell[] = [
  {
    name: 'PUT /send',
    expect: (actor) => (isJoined(actor) ? allowed() : FORBIDDEN),
    request: (_actor, s) => ({
      method: 'PUT',
      url: `${v3(s)}/send/m.room.message/acm-${++txn}`,
      body: { msgtype: 'm.text', body: 'write' },
    }),
    storesEvents: true,
  },
  {
    name: 'PUT /state/m.room.topic (state_default 50)',
    expect: (actor) => (actor === 'owner' ? allowed() : FORBIDDEN),
    request: (_actor, s) => ({
      method: 'PUT',
      url: `${v3(s)}/state/m.room.topic/`,
      body: { topic: 'changed' },
    }),
    storesEvents: true,
  },
  {
    // An event the actor may not see does not exist for them (404, as /event says); one they
    // see but may not redact is 403.
    name: "PUT /redact of the owner's A (redact 50)",
    expect: (actor, s) => {
      if (actor === 'owner') return allowed();
      return reachOf(actor, s.kind) === 'all' ? FORBIDDEN : NOT_FOUND;
    },
    request: (_actor, s) => ({
      method: 'PUT',
      url: `${v3(s)}/redact/${enc(s.a)}/acm-${++txn}`,
      body: {},
    }),
    storesEvents: true,
  },
  {
    name: 'PUT /redact of their own message from before they went',
    expect: (actor, s) => (s.ownMessage[actor] ? FORBIDDEN : undefined),
    request: (actor, s) => ({
      method: 'PUT',
      url: `${v3(s)}/redact/${enc(s.ownMessage[actor] ?? '')}/acm-${++txn}`,
      body: {},
    }),
    storesEvents: true,
  },
  {
    name: 'POST /invite (invite is 0 in a private room, 50 in a public one)',
    expect: (actor, s) =>
      actor === 'owner' || (actor === 'member' && s.kind === 'private') ? allowed() : FORBIDDEN,
    request: (_actor, s, scenario) => ({
      method: 'POST',
      url: `${v3(s)}/invite`,
      body: { user_id: scenario.guest.userId },
    }),
    storesEvents: true,
  },
  ...(['kick', 'ban'] as const).map(
    (action): WriteCell => ({
      name: `POST /${action} of a joined member (${action} 50)`,
      expect: (actor) => (actor === 'owner' ? allowed() : FORBIDDEN),
      request: (_actor, s, scenario) => ({
        method: 'POST',
        url: `${v3(s)}/${action}`,
        body: { user_id: scenario.victim.userId },
      }),
      storesEvents: true,
    }),
  ),
  {
    name: 'POST /unban of the banned member',
    expect: (actor) => (actor === 'owner' ? undefined : FORBIDDEN),
    request: (_actor, s, scenario) => ({
      method: 'POST',
      url: `${v3(s)}/unban`,
      body: { user_id: scenario.accounts.banned.userId },
    }),
    storesEvents: true,
  },
  {
    name: 'POST /join where they may not (banned; an invite-only room without an invite)',
    expect: (actor, s) =>
      actor === 'banned' ||
      (s.kind === 'private' && ['outsider', 'left', 'kicked', 'rejected'].includes(actor))
        ? FORBIDDEN
        : undefined,
    request: (_actor, s) => ({ method: 'POST', url: `${v3(s)}/join`, body: {} }),
    storesEvents: true,
  },
  {
    name: 'PUT /typing for themselves',
    expect: (actor) => (isJoined(actor) ? allowed() : FORBIDDEN),
    request: (actor, s, scenario) => ({
      method: 'PUT',
      url: `${v3(s)}/typing/${enc(scenario.accounts[actor].userId)}`,
      body: { typing: true, timeout: 1000 },
    }),
    storesEvents: false,
  },
  {
    name: 'PUT /typing for someone else',
    expect: () => FORBIDDEN,
    request: (actor, s, scenario) => ({
      method: 'PUT',
      url: `${v3(s)}/typing/${enc(other(actor, scenario))}`,
      body: { typing: true, timeout: 1000 },
    }),
    storesEvents: false,
  },
  {
    name: 'POST /receipt/m.read/{B}',
    expect: (actor) => (isJoined(actor) ? allowed() : FORBIDDEN),
    request: (_actor, s) => ({
      method: 'POST',
      url: `${v3(s)}/receipt/m.read/${enc(s.b)}`,
      body: {},
    }),
    storesEvents: false,
  },
  {
    name: 'POST /read_markers',
    expect: (actor) => (isJoined(actor) ? allowed() : FORBIDDEN),
    request: (_actor, s) => ({
      method: 'POST',
      url: `${v3(s)}/read_markers`,
      body: { 'm.fully_read': s.b, 'm.read': s.b },
    }),
    storesEvents: false,
  },
  {
    // The user's own data: the spec does not tie it to membership (a tag on a room one is about
    // to join), so it is no refusal; the sync cells show it opens nothing of the room.
    name: 'PUT their own room account data',
    expect: () => allowed(),
    request: (actor, s, scenario) => ({
      method: 'PUT',
      url: `/_matrix/client/v3/user/${enc(scenario.accounts[actor].userId)}/rooms/${enc(s.roomId)}/account_data/org.example.note`,
      body: { note: 'mine' },
    }),
    storesEvents: false,
  },
  ...(['PUT', 'GET'] as const).map(
    (method): WriteCell => ({
      name: `${method} another user's room account data`,
      expect: () => FORBIDDEN,
      request: (actor, s, scenario) => ({
        method,
        url: `/_matrix/client/v3/user/${enc(other(actor, scenario))}/rooms/${enc(s.roomId)}/account_data/org.example.note`,
        body: method === 'PUT' ? { note: 'theirs' } : undefined,
      }),
      storesEvents: false,
    }),
  ),
];

/** The owner goes last: their allowed kick, ban and redaction change the room for the rest. */
const WRITERS: Actor[] = [...ACTORS.filter((actor) => actor !== 'owner'), 'owner'];

export async function checkRoomWrites(client: ClientHarness, scenario: Scenario): Promise<number> {
  let cells = 0;
  for (const kind of ROOM_KINDS) {
    const s = scenario.rooms[kind];
    for (const actor of WRITERS) {
      for (const cell of ROOM_WRITES) {
        const expected = cell.expect(actor, s);
        if (!expected) continue;
        const what = `${kind} room, ${actor}: ${cell.name}`;
        const { method, url, body } = cell.request(actor, s, scenario);
        const before = cell.storesEvents ? await countEvents(client) : 0;
        const result = await client.call(method, url, {
          token: scenario.accounts[actor].accessToken,
          body,
        });
        expectAnswer(result, expected, what);
        if (cell.storesEvents && expected.status !== 200) {
          assert.equal(await countEvents(client), before, `${what}: a refusal stored an event`);
        }
        cells++;
      }
    }
  }
  return cells;
}
