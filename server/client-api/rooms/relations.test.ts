// Relations on both databases: threads, edits and references bundled with the events served
// (/event, /messages, /context, /relations, /threads), GET /relations with its filters, paging and
// recursion, the thread list, and a redacted child leaving the aggregations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { roomClient, roomPath } from '../../../conformance-tests/support/room-client.ts';

const rel = (relType: string, eventId: string) => ({
  'm.relates_to': { rel_type: relType, event_id: eventId },
});

for (const kind of DATABASE_KINDS) {
  test(`${kind}: threads, edits and references: bundled, listed, paged`, (t) =>
    withClient(t, kind, async (client) => {
      const rooms = roomClient(client);
      const alice = await client.newAccount('alice');
      const bob = await client.newAccount('bob');
      const carol = await client.newAccount('carol');
      const roomId = await rooms.createRoom(alice, { preset: 'public_chat' });
      await rooms.setMembership(bob, roomId, bob.userId, 'join');
      await rooms.setMembership(carol, roomId, carol.userId, 'join');
      const v1 = `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}`;
      const text = (body: string, extra = {}) => ({ msgtype: 'm.text', body, ...extra });

      const root = await rooms.send(alice, roomId, text('root'));
      const t1 = await rooms.send(bob, roomId, text('t1', rel('m.thread', root)));
      const t2 = await rooms.send(bob, roomId, text('t2', rel('m.thread', root)));
      const t3 = await rooms.send(alice, roomId, text('t3', rel('m.thread', root)));
      const newContent = (body: string) => ({ 'm.new_content': text(body) });
      const edit1 = await rooms.send(
        alice,
        roomId,
        text('* e1', { ...newContent('e1'), ...rel('m.replace', root) }),
      );
      const edit2 = await rooms.send(
        alice,
        roomId,
        text('* e2', { ...newContent('e2'), ...rel('m.replace', root) }),
      );
      // Invalid edits: another sender; no m.new_content.
      await rooms.send(
        bob,
        roomId,
        text('* bob', { ...newContent('bob'), ...rel('m.replace', root) }),
      );
      await rooms.send(alice, roomId, text('* bare', rel('m.replace', root)));
      const reference = await rooms.send(bob, roomId, text('see', rel('m.reference', root)));
      const reaction = await rooms.send(
        carol,
        roomId,
        { 'm.relates_to': { rel_type: 'm.annotation', event_id: root, key: '👍' } },
        'm.reaction',
      );
      const editOfT1 = await rooms.send(
        bob,
        roomId,
        text('* t1', { ...newContent('t1!'), ...rel('m.replace', t1) }),
      );
      const editOfT3 = await rooms.send(
        alice,
        roomId,
        text('* t3', { ...newContent('t3!'), ...rel('m.replace', t3) }),
      );
      // With one clock for every event, the latest edit is the larger event id.
      const latestEdit = edit1 > edit2 ? edit1 : edit2;

      const get = async (as: typeof alice, eventId: string) => {
        const result = await client.call(
          'GET',
          `${roomPath(roomId)}/event/${encodeURIComponent(eventId)}`,
          {
            token: as.accessToken,
          },
        );
        assert.equal(result.status, 200);
        return result.body;
      };
      const served = await get(carol, root);
      assert.deepEqual(served.content, text('root'), 'the original content is left intact');
      const relations = served.unsigned['m.relations'];
      assert.equal(relations['m.thread'].count, 3);
      assert.equal(
        relations['m.thread'].current_user_participated,
        false,
        'carol did not take part',
      );
      assert.equal(relations['m.thread'].latest_event.event_id, t3);
      assert.equal(
        relations['m.thread'].latest_event.unsigned['m.relations']['m.replace'].event_id,
        editOfT3,
        'the latest event carries its own aggregations',
      );
      assert.equal(relations['m.replace'].event_id, latestEdit);
      assert.deepEqual(relations['m.reference'], { chunk: [{ event_id: reference }] });
      assert.equal(relations['m.annotation'], undefined, 'reactions stay ordinary events');
      assert.equal(
        (await get(bob, root)).unsigned['m.relations']['m.thread'].current_user_participated,
        true,
      );
      assert.equal(
        (await get(alice, root)).unsigned['m.relations']['m.thread'].current_user_participated,
        true,
      );

      // The same bundle in /messages and /context.
      const page = await client.call('GET', `${roomPath(roomId)}/messages?dir=b&limit=100`, {
        token: carol.accessToken,
      });
      const inPage = page.body.chunk.find((e: { event_id: string }) => e.event_id === root);
      assert.deepEqual(inPage.unsigned['m.relations'], relations);
      const context = await client.call(
        'GET',
        `${roomPath(roomId)}/context/${encodeURIComponent(root)}`,
        {
          token: carol.accessToken,
        },
      );
      assert.deepEqual(context.body.event.unsigned['m.relations'], relations);

      // GET /relations: newest first, by type, paged, recursing.
      const list = async (path: string, as = carol) => {
        const result = await client.call(
          'GET',
          `${v1}/relations/${encodeURIComponent(root)}${path}`,
          {
            token: as.accessToken,
          },
        );
        assert.equal(result.status, 200, JSON.stringify(result.body));
        return result.body;
      };
      const ids = (body: { chunk: { event_id: string }[] }) => body.chunk.map((e) => e.event_id);
      assert.deepEqual(ids(await list('/m.thread')), [t3, t2, t1]);
      assert.deepEqual(ids(await list('/m.thread/m.room.message?dir=f')), [t1, t2, t3]);
      assert.deepEqual(ids(await list('/m.annotation/m.reaction')), [reaction]);
      assert.deepEqual(ids(await list('/m.thread/m.reaction')), []);
      const direct = await list('');
      assert.equal(direct.chunk.length, 9);
      assert.equal(direct.recursion_depth, undefined);
      assert.ok(!ids(direct).includes(editOfT1));
      const recursive = await list('?recurse=true&limit=50');
      assert.equal(recursive.recursion_depth, 3);
      assert.deepEqual(ids(recursive).slice(0, 2), [editOfT3, editOfT1]);
      assert.equal(recursive.chunk.length, 11);
      assert.equal((await list('?recurse=false')).recursion_depth, 1);
      // The rel_type filter applies at every level: edits of thread events are not threads.
      assert.deepEqual(ids(await list('/m.thread?recurse=true')), [t3, t2, t1]);
      const paged: string[] = [];
      let from: string | undefined;
      for (let i = 0; i < 20; i++) {
        const body = await list(`?limit=2${from ? `&from=${from}` : ''}`);
        if (from !== undefined) assert.equal(body.prev_batch, from);
        paged.push(...ids(body));
        if (!body.next_batch) break;
        from = body.next_batch;
      }
      assert.deepEqual(paged, ids(direct), 'pages chain without gaps or repeats');
      assertError(
        await client.call('GET', `${v1}/relations/%24nope`, { token: carol.accessToken }),
        404,
        'M_NOT_FOUND',
      );
      assertError(
        await client.call('GET', `${v1}/relations/${encodeURIComponent(root)}?from=nope`, {
          token: carol.accessToken,
        }),
        400,
        'M_INVALID_PARAM',
      );

      // No thread off an event that itself relates to another.
      assertError(
        await client.call('PUT', `${roomPath(roomId)}/send/m.room.message/nested`, {
          token: bob.accessToken,
          body: text('nested', rel('m.thread', t1)),
        }),
        400,
        'M_UNKNOWN',
      );

      // The thread list: most recent activity first; `participated`; paging.
      const root2 = await rooms.send(carol, roomId, text('root2'));
      await rooms.send(bob, roomId, text('r2', rel('m.thread', root2)));
      const threads = async (query: string, as = alice) => {
        const result = await client.call('GET', `${v1}/threads?${query}`, {
          token: as.accessToken,
        });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        return result.body;
      };
      const everyThread = await threads('');
      assert.deepEqual(ids(everyThread), [root2, root]);
      assert.equal(everyThread.next_batch, undefined);
      assert.equal(everyThread.chunk[1].unsigned['m.relations']['m.thread'].count, 3);
      assert.deepEqual(ids(await threads('include=participated')), [root]);
      assert.deepEqual(ids(await threads('include=participated', bob)), [root2, root]);
      assert.deepEqual(ids(await threads('include=participated', carol)), [root2]);
      const firstPage = await threads('limit=1');
      assert.deepEqual(ids(firstPage), [root2]);
      const secondPage = await threads(`limit=1&from=${firstPage.next_batch}`);
      assert.deepEqual(ids(secondPage), [root]);
      assert.equal(secondPage.next_batch, undefined);
      assertError(
        await client.call('GET', `${v1}/threads?limit=0`, { token: alice.accessToken }),
        400,
        'M_INVALID_PARAM',
      );

      // Redacting a thread reply and the latest edit takes them out of the aggregation.
      await rooms.redact(alice, roomId, t3);
      await rooms.redact(alice, roomId, latestEdit);
      const after = (await get(carol, root)).unsigned['m.relations'];
      assert.equal(after['m.thread'].count, 2);
      assert.equal(after['m.thread'].latest_event.event_id, t2);
      assert.equal(after['m.replace'].event_id, latestEdit === edit1 ? edit2 : edit1);
      assert.deepEqual(ids(await list('/m.thread')), [t2, t1]);
      // A redacted original gets no edit bundled.
      await rooms.redact(alice, roomId, root);
      const redactedRoot = (await get(carol, root)).unsigned['m.relations'];
      assert.equal(redactedRoot['m.replace'], undefined);
      assert.equal(redactedRoot['m.thread'].count, 2);
    }));
}
