// /messages and /context on both databases: exact order over a long history in both directions,
// without gaps or repeats, tokens that chain (including a /sync-style token), limits, filters,
// lazy-loaded members, and bad input refused with a 4xx.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  type ClientHarness,
  type TestAccount,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';

const COUNT = 120;

interface Page {
  chunk: { event_id: string; type: string; content: { body?: string } }[];
  start: string;
  end?: string;
  state?: { type: string; state_key: string }[];
}

async function messages(
  client: ClientHarness,
  as: TestAccount,
  roomId: string,
  query: string,
): Promise<Page> {
  const result = await client.call('GET', `${roomPath(roomId)}/messages?${query}`, {
    token: as.accessToken,
  });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return result.body;
}

/** Every page from `from` on, as event ids. */
async function walk(
  client: ClientHarness,
  as: TestAccount,
  roomId: string,
  dir: 'b' | 'f',
  limit: number,
  extra = '',
): Promise<string[]> {
  const ids: string[] = [];
  let from: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await messages(
      client,
      as,
      roomId,
      `dir=${dir}&limit=${limit}${extra}${from ? `&from=${from}` : ''}`,
    );
    if (from !== undefined) assert.equal(page.start, from, 'start is the from token');
    assert.ok(page.chunk.length <= limit);
    ids.push(...page.chunk.map((event) => event.event_id));
    if (page.end === undefined) return ids;
    from = page.end;
  }
  throw new Error('pagination did not end');
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: /messages pages through ${COUNT}+ events in exact order, both ways`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat', name: 'Long' });
      await rooms.setMembership(bob, roomId, bob.userId, 'join');
      const sent: string[] = [];
      for (let i = 0; i < COUNT; i++) {
        const sender = i % 3 === 0 ? bob : alice;
        sent.push(await rooms.send(sender, roomId, { msgtype: 'm.text', body: `m${i}` }));
      }
      const stored = await client.db
        .selectFrom('events')
        .select('event_id')
        .where('room_id', '=', roomId)
        .orderBy('stream_ordering', 'asc')
        .execute();
      const all = stored.map((row) => row.event_id);

      const backwards = await walk(client, alice, roomId, 'b', 7);
      assert.deepEqual(backwards, all.toReversed(), 'every event once, newest first');
      const forwards = await walk(client, alice, roomId, 'f', 9);
      assert.deepEqual(forwards, all, 'every event once, oldest first');
      const onlyMessages = `&filter=${encodeURIComponent(JSON.stringify({ types: ['m.room.message'] }))}`;
      assert.deepEqual(await walk(client, bob, roomId, 'b', 10, onlyMessages), sent.toReversed());
      assert.deepEqual(await walk(client, bob, roomId, 'f', 1000, onlyMessages), sent);

      // Tokens chain: back one page, then forward from its end returns the same events.
      const first = await messages(client, alice, roomId, 'dir=b&limit=5');
      assert.deepEqual(
        first.chunk.map((e) => e.content.body),
        ['m119', 'm118', 'm117', 'm116', 'm115'],
      );
      const forward = await messages(client, alice, roomId, `dir=f&limit=5&from=${first.end}`);
      assert.deepEqual(
        forward.chunk.map((e) => e.event_id),
        first.chunk.map((e) => e.event_id).toReversed(),
      );
      // `to` stops a walk: from the top back to the first page's end is that page again.
      const bounded = await messages(
        client,
        alice,
        roomId,
        `dir=b&limit=50&from=${first.start}&to=${first.end}`,
      );
      assert.deepEqual(
        bounded.chunk.map((e) => e.event_id),
        first.chunk.map((e) => e.event_id),
      );
      assert.equal(bounded.end, undefined);
      // A /sync token (the events position and other streams) is a valid `from`.
      const syncToken = `${first.start}_a3_r7_t1`;
      const fromSync = await messages(client, alice, roomId, `dir=b&limit=5&from=${syncToken}`);
      assert.deepEqual(fromSync.chunk, first.chunk);

      // Filters: senders, not_senders; lazy-loaded members of the senders.
      const bobsOnly = await messages(
        client,
        alice,
        roomId,
        `dir=b&limit=3&filter=${encodeURIComponent(JSON.stringify({ senders: [bob.userId], lazy_load_members: true }))}`,
      );
      assert.deepEqual(
        bobsOnly.chunk.map((e) => e.content.body),
        ['m117', 'm114', 'm111'],
      );
      assert.deepEqual(
        bobsOnly.state?.map((e) => [e.type, e.state_key]),
        [['m.room.member', bob.userId]],
      );
      const notBob = await messages(
        client,
        alice,
        roomId,
        `dir=b&limit=2&filter=${encodeURIComponent(JSON.stringify({ not_senders: [bob.userId] }))}`,
      );
      assert.deepEqual(
        notBob.chunk.map((e) => e.content.body),
        ['m119', 'm118'],
      );
      assert.equal(notBob.state, undefined);
      // A limit is capped, not refused; limit=0 returns nothing but a token to go on from.
      assert.equal(
        (await messages(client, alice, roomId, 'dir=b&limit=100000')).chunk.length,
        all.length,
      );
      const none = await messages(client, alice, roomId, 'dir=b&limit=0');
      assert.deepEqual(none.chunk, []);

      // /context around m60: half the limit before, the rest after, tokens to go on both ways.
      const middle = sent[60]!;
      const context = await client.call(
        'GET',
        `${roomPath(roomId)}/context/${encodeURIComponent(middle)}?limit=6&filter=${encodeURIComponent(JSON.stringify({ lazy_load_members: true }))}`,
        { token: alice.accessToken },
      );
      assert.equal(context.status, 200, JSON.stringify(context.body));
      assert.equal(context.body.event.content.body, 'm60');
      const bodiesOf = (events: { content: { body: string } }[]) =>
        events.map((e) => e.content.body);
      assert.deepEqual(bodiesOf(context.body.events_before), ['m59', 'm58', 'm57']);
      assert.deepEqual(bodiesOf(context.body.events_after), ['m61', 'm62', 'm63']);
      assert.deepEqual(
        context.body.state.map((e: { state_key: string }) => e.state_key).sort(),
        [alice.userId, bob.userId].sort(),
      );
      const earlier = await messages(
        client,
        alice,
        roomId,
        `dir=b&limit=2&from=${context.body.start}`,
      );
      assert.deepEqual(
        earlier.chunk.map((e) => e.content.body),
        ['m56', 'm55'],
      );
      const later = await messages(client, alice, roomId, `dir=f&limit=2&from=${context.body.end}`);
      assert.deepEqual(
        later.chunk.map((e) => e.content.body),
        ['m64', 'm65'],
      );
      // Without lazy loading, the state is the room's full state after the last event.
      const full = await client.call(
        'GET',
        `${roomPath(roomId)}/context/${encodeURIComponent(middle)}?limit=0`,
        { token: alice.accessToken },
      );
      assert.deepEqual(full.body.events_before, []);
      assert.deepEqual(full.body.events_after, []);
      assert.ok(full.body.state.some((e: { type: string }) => e.type === 'm.room.name'));

      // Bad input is a 400, never a 500.
      const bad: [string, string][] = [
        ['dir=x', 'M_INVALID_PARAM'],
        ['limit=5', 'M_MISSING_PARAM'],
        ['dir=b&limit=-1', 'M_INVALID_PARAM'],
        ['dir=b&limit=many', 'M_INVALID_PARAM'],
        ['dir=b&from=yesterday', 'M_INVALID_PARAM'],
        ['dir=f&to=s1_%21', 'M_INVALID_PARAM'],
        ['dir=b&filter=%7Bnope', 'M_INVALID_PARAM'],
        [`dir=b&filter=${encodeURIComponent('{"types":"m.room.message"}')}`, 'M_INVALID_PARAM'],
        [`dir=b&filter=${encodeURIComponent('[1]')}`, 'M_INVALID_PARAM'],
      ];
      for (const [query, errcode] of bad) {
        const result = await client.call('GET', `${roomPath(roomId)}/messages?${query}`, {
          token: alice.accessToken,
        });
        assertError(result, 400, errcode);
      }
      assertError(
        await client.call('GET', `${roomPath(roomId)}/context/%24nope`, {
          token: alice.accessToken,
        }),
        404,
        'M_NOT_FOUND',
      );
      assertError(
        await client.call(
          'GET',
          `${roomPath(roomId)}/context/${encodeURIComponent(middle)}?limit=x`,
          {
            token: alice.accessToken,
          },
        ),
        400,
        'M_INVALID_PARAM',
      );
      assertError(
        await client.call('GET', `${roomPath(roomId)}/messages?dir=b`),
        401,
        'M_MISSING_TOKEN',
      );
    }));
}
