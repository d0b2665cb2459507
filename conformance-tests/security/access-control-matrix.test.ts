// The access-control matrix (issue 11, "Hostile input"), in process on both databases: every
// endpoint that reads a room, asked by each kind of actor (access-control-scenario.ts) in a
// private, a public and a world_readable room; then /sync for each actor; then every endpoint
// that changes a room (access-control-room-writes.ts); then the endpoints over user data
// (account data, devices, profile, presence, push rules, filters, keys, key backups) asked by
// another user, and media without a token (access-control-user-data.ts). Each cell states the
// answer the spec gives, allow or refuse, so a wrong allow and a wrong refusal both fail; a
// departed reader's answers are also searched for anything sent after they went.
//
// Not served by Cairn, so not in the matrix (a cell below shows each is unknown, so that serving
// one makes this test ask for its row): /search, /notifications, room tags, /initialSync,
// /timestamp_to_event, /events peeking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClientHarness, withClient } from '../support/client-harness.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { checkRoomWrites } from './access-control-room-writes.ts';
import {
  ACTORS,
  type Actor,
  AFTER,
  allowed,
  assertNothingAfter,
  buildScenario,
  type Expected,
  expectAnswer,
  FORBIDDEN,
  idsOf,
  isJoined,
  type Json,
  NOT_FOUND,
  type Reach,
  ROOM_KINDS,
  type RoomStory,
  reachOf,
  type Scenario,
  TOPIC_AFTER,
  TOPIC_BEFORE,
  v1,
  v3,
} from './access-control-scenario.ts';
import { checkUserDataCells } from './access-control-user-data.ts';

const enc = encodeURIComponent;
const MESSAGES = `filter=${enc(JSON.stringify({ types: ['m.room.message'] }))}&limit=100`;

interface ReadCell {
  name: string;
  url: (s: RoomStory, scenario: Scenario) => string;
  expect: (reach: Reach, s: RoomStory, actor: Actor, scenario: Scenario) => Expected;
}

/** The departed reader's own last membership event is where their history ends. */
const endsWithDeparture = (events: Json[], scenario: Scenario, actor: Actor) => {
  const last = events.at(-1);
  assert.equal(last?.type, 'm.room.member');
  assert.equal(last?.state_key, scenario.accounts[actor].userId);
};

const ROOM_READS: ReadCell[] = [
  {
    name: 'GET /event/{B}, sent before the departures',
    url: (s) => `${v3(s)}/event/${enc(s.b)}`,
    expect: (reach, s) =>
      reach === 'none'
        ? NOT_FOUND
        : allowed((body) => {
            assert.equal(body.event_id, s.b);
            // B is a thread root: its summary counts the replies the reader may see.
            const thread = body.unsigned['m.relations']['m.thread'];
            assert.equal(thread.count, reach === 'all' ? 2 : 1);
          }),
  },
  {
    name: 'GET /event/{A}, sent after them',
    url: (s) => `${v3(s)}/event/${enc(s.a)}`,
    expect: (reach, s) =>
      reach === 'all' ? allowed((body) => assert.equal(body.event_id, s.a)) : NOT_FOUND,
  },
  {
    name: 'GET /event/{D}, redacted after them',
    url: (s) => `${v3(s)}/event/${enc(s.d)}`,
    // A redaction applies to every copy served, whoever reads it.
    expect: (reach) =>
      reach === 'none' ? NOT_FOUND : allowed((body) => assert.deepEqual(body.content, {})),
  },
  {
    name: 'GET /context/{B}',
    url: (s) => `${v3(s)}/context/${enc(s.b)}?limit=100`,
    expect: (reach, s, actor, scenario) => {
      if (reach === 'none') return FORBIDDEN;
      return allowed((body) => {
        assert.equal(body.event.event_id, s.b);
        if (reach === 'all') assert.ok(idsOf(body.events_after).includes(s.a));
        else endsWithDeparture(body.events_after, scenario, actor);
      });
    },
  },
  {
    name: 'GET /context/{A}',
    url: (s) => `${v3(s)}/context/${enc(s.a)}`,
    expect: (reach, s) => {
      if (reach === 'none') return FORBIDDEN;
      return reach === 'all'
        ? allowed((body) => assert.equal(body.event.event_id, s.a))
        : NOT_FOUND;
    },
  },
  ...(['b', 'f', 'b-from-latest'] as const).map(
    (walk): ReadCell => ({
      name: `GET /messages (${walk})`,
      url: (s, scenario) =>
        walk === 'b-from-latest'
          ? `${v3(s)}/messages?dir=b&from=${enc(scenario.latestToken)}&${MESSAGES}`
          : `${v3(s)}/messages?dir=${walk}&${MESSAGES}`,
      expect: (reach, s) => {
        if (reach === 'none') return FORBIDDEN;
        return allowed((body) => {
          const seen = idsOf(body.chunk);
          assert.ok(seen.includes(s.b), 'B is readable');
          assert.equal(seen.includes(s.a), reach === 'all', 'A only for those who may read it');
        });
      },
    }),
  ),
  {
    name: 'GET /state',
    url: (s) => `${v3(s)}/state`,
    expect: (reach) => {
      if (reach === 'none') return FORBIDDEN;
      return allowed((body) => {
        const topic = body.find((event: Json) => event.type === 'm.room.topic');
        assert.equal(topic.content.topic, reach === 'all' ? TOPIC_AFTER : TOPIC_BEFORE);
      });
    },
  },
  {
    name: 'GET /state/m.room.topic',
    url: (s) => `${v3(s)}/state/m.room.topic/`,
    expect: (reach) => {
      if (reach === 'none') return FORBIDDEN;
      const topic = reach === 'all' ? TOPIC_AFTER : TOPIC_BEFORE;
      return allowed((body) => assert.deepEqual(body, { topic }));
    },
  },
  {
    name: 'GET /state/m.room.member/{invitee}, invited after the departures',
    url: (s, scenario) => `${v3(s)}/state/m.room.member/${enc(scenario.accounts.invited.userId)}`,
    expect: (reach) => {
      if (reach === 'none') return FORBIDDEN;
      if (reach === 'until-departure') return NOT_FOUND;
      return allowed((body) => assert.equal(body.membership, 'invite'));
    },
  },
  {
    name: 'GET /members',
    url: (s) => `${v3(s)}/members`,
    expect: (reach, _s, actor, scenario) => {
      if (reach === 'none') return FORBIDDEN;
      return allowed((body) => {
        const members = new Map<string, string>(
          body.chunk.map((event: Json) => [event.state_key, event.content.membership]),
        );
        const invitee = members.get(scenario.accounts.invited.userId);
        assert.equal(invitee, reach === 'all' ? 'invite' : undefined);
        if (reach === 'until-departure') {
          const own = members.get(scenario.accounts[actor].userId);
          assert.equal(own, actor === 'banned' ? 'ban' : 'leave');
        }
      });
    },
  },
  {
    name: 'GET /members?at=<a token from after every event>',
    url: (s, scenario) => `${v3(s)}/members?at=${enc(scenario.latestToken)}`,
    // A later point does not reach past a departure.
    expect: (reach, _s, _actor, scenario) => {
      if (reach === 'none') return FORBIDDEN;
      const invitee = scenario.accounts.invited.userId;
      return allowed((body) => {
        const listed = body.chunk.some((event: Json) => event.state_key === invitee);
        assert.equal(listed, reach === 'all');
      });
    },
  },
  {
    name: 'GET /joined_members',
    url: (s) => `${v3(s)}/joined_members`,
    // "The current user must be in the room": world_readable history does not open it.
    expect: (_reach, _s, actor, scenario) =>
      isJoined(actor)
        ? allowed((body) => assert.ok(scenario.accounts.member.userId in body.joined))
        : FORBIDDEN,
  },
  {
    name: 'GET /relations/{B}',
    url: (s) => `${v1(s)}/relations/${enc(s.b)}?limit=100`,
    expect: (reach, s) => {
      if (reach === 'none') return NOT_FOUND;
      return allowed((body) => {
        const seen = idsOf(body.chunk);
        assert.ok(seen.includes(s.threadReplyBefore) && seen.includes(s.reactionBefore));
        assert.equal(seen.includes(s.threadReplyAfter), reach === 'all');
      });
    },
  },
  {
    name: 'GET /relations/{A}',
    url: (s) => `${v1(s)}/relations/${enc(s.a)}`,
    expect: (reach) => (reach === 'all' ? allowed() : NOT_FOUND),
  },
  {
    name: 'GET /threads',
    url: (s) => `${v1(s)}/threads`,
    expect: (reach, s) => {
      if (reach === 'none') return FORBIDDEN;
      return allowed((body) => {
        assert.deepEqual(idsOf(body.chunk), [s.b]);
        const thread = body.chunk[0].unsigned['m.relations']['m.thread'];
        const latest = reach === 'all' ? s.threadReplyAfter : s.threadReplyBefore;
        assert.equal(thread.latest_event.event_id, latest);
      });
    },
  },
];

async function checkRoomReads(client: ClientHarness, scenario: Scenario): Promise<number> {
  let cells = 0;
  for (const kind of ROOM_KINDS) {
    const s = scenario.rooms[kind];
    for (const actor of ACTORS) {
      const reach = reachOf(actor, kind);
      for (const cell of ROOM_READS) {
        const what = `${kind} room, ${actor}: ${cell.name}`;
        const url = cell.url(s, scenario);
        const result = await client.call('GET', url, {
          token: scenario.accounts[actor].accessToken,
        });
        expectAnswer(result, cell.expect(reach, s, actor, scenario), what);
        if (reach === 'until-departure') assertNothingAfter(result.body, s, what);
        cells++;
      }
    }
  }
  return cells;
}

/** /sync, initial (with left rooms) and since just before the departures, for every actor. */
async function checkSync(client: ClientHarness, scenario: Scenario): Promise<number> {
  let cells = 0;
  const filter = enc(JSON.stringify({ room: { include_leave: true, timeline: { limit: 50 } } }));
  for (const actor of ACTORS) {
    const account = scenario.accounts[actor];
    for (const since of [undefined, scenario.tokensBefore[actor]]) {
      const query = `timeout=0&filter=${filter}${since ? `&since=${enc(since)}` : ''}`;
      const result = await client.call('GET', `/_matrix/client/v3/sync?${query}`, {
        token: account.accessToken,
      });
      assert.equal(result.status, 200);
      const { body } = result;
      const json = JSON.stringify(body);
      for (const kind of ROOM_KINDS) {
        const s = scenario.rooms[kind];
        const what = `${kind} room, ${actor}: /sync${since ? ' since before' : ''}`;
        const sections = (['join', 'invite', 'knock', 'leave'] as const).filter(
          (section) => s.roomId in body.rooms[section],
        );
        const timelineIds = [s.b, s.d, s.threadReplyBefore, s.reactionBefore, s.a];
        if (isJoined(actor)) {
          assert.deepEqual(sections, ['join'], what);
          const room = body.rooms.join[s.roomId];
          assert.ok(idsOf(room.timeline.events).includes(s.a), what);
          const typing = room.ephemeral.events.find((event: Json) => event.type === 'm.typing');
          assert.deepEqual(typing?.content.user_ids, [scenario.accounts.owner.userId], what);
        } else if (actor === 'outsider') {
          // Not a word of the room, world_readable or not, nor of its members' devices.
          assert.ok(!json.includes(s.roomId), `${what}: ${json.slice(0, 1000)}`);
        } else if (actor === 'invited') {
          assert.deepEqual(sections, ['invite'], what);
          for (const eventId of timelineIds) assert.ok(!json.includes(eventId), what);
        } else if (actor === 'rejected') {
          // Declined before the token: only an initial sync lists it, with their own leave alone.
          assert.deepEqual(sections, since ? [] : ['leave'], what);
          if (!since) {
            const events = body.rooms.leave[s.roomId].timeline.events;
            assert.deepEqual(
              events.map((event: Json) => [event.type, event.state_key]),
              [['m.room.member', account.userId]],
              what,
            );
          }
          for (const eventId of timelineIds) assert.ok(!json.includes(eventId), what);
        } else {
          assert.deepEqual(sections, ['leave'], what);
          const room = body.rooms.leave[s.roomId];
          assert.equal(room.ephemeral, undefined, what);
          endsWithDeparture(room.timeline.events, scenario, actor);
          if (reachOf(actor, kind) === 'until-departure') {
            assertNothingAfter(room, s, what);
          } else {
            // A world_readable room's timeline still ends at the departure, but what is bundled
            // with its events may be newer: the reader may read all of it anyway.
            const timeline = idsOf(room.timeline.events);
            assert.ok(!timeline.some((eventId) => s.after.includes(eventId)), what);
          }
        }
        cells++;
      }
      // The owner's presence and device change reach the member (so that the refusals are not
      // vacuous), and no one who shares no joined room with the owner.
      if (actor !== 'owner') {
        const owner = scenario.accounts.owner.userId;
        const senders = body.presence.events.map((event: Json) => event.sender);
        assert.equal(senders.includes(owner), actor === 'member', `${actor}: the owner's presence`);
        if (since && !['left', 'kicked', 'banned'].includes(actor)) {
          const changed = body.device_lists.changed.includes(owner);
          assert.equal(changed, actor === 'member', `${actor}: the owner's device change`);
        }
        cells++;
      }
    }
  }
  return cells;
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: room reads, /sync and room writes, by every actor in every kind of room`, (t) =>
    withClient(t, kind, async (client) => {
      const scenario = await buildScenario(client);
      const reads = await checkRoomReads(client, scenario);
      await t.test('a departed reader is not shown a later redaction (its reason)', async () => {
        const s = scenario.rooms.private;
        const path = `${v3(s)}/event/${enc(s.d)}`;
        const left = await client.call('GET', path, { token: scenario.accounts.left.accessToken });
        assert.deepEqual(left.body.content, {}, 'the redaction itself applies');
        // Still marked redacted (clients tell redactions by redacted_because), but only as the
        // redaction algorithm leaves the redaction: no reason.
        const because = left.body.unsigned.redacted_because;
        assert.equal(because.type, 'm.room.redaction');
        assert.ok(!JSON.stringify(left.body).includes(AFTER), JSON.stringify(left.body));
        const member = await client.call('GET', path, {
          token: scenario.accounts.member.accessToken,
        });
        assert.equal(member.body.unsigned.redacted_because.content.reason, `${AFTER} reason`);
        assert.equal(member.body.unsigned.redacted_because.event_id, because.event_id);
      });
      const syncs = await checkSync(client, scenario);
      const writes = await checkRoomWrites(client, scenario);
      t.diagnostic(`cells: ${reads} room reads, ${syncs} sync, ${writes} room writes`);
    }));

  test(`${kind}: another user's data, media without a token, endpoints not served`, (t) =>
    withClient(t, kind, async (client) => {
      const cells = await checkUserDataCells(client);
      t.diagnostic(`cells: ${cells} user data, media and unserved`);
    }));
}
