// The federation sender's queues on both databases: the events it picks, PDUs queued with the
// position in one transaction, EDUs replaced by key, attempts claimed within the limits and kept
// fixed until completed, and the retry state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  claimTransaction,
  completeTransaction,
  EVENTS_STREAM,
  getDestinationState,
  getSenderPosition,
  listEventsToSend,
  listQueuedDestinations,
  queueEduRow,
  queuePdusAndAdvance,
  readTransaction,
  saveRetryState,
} from './federation-queue.ts';
import type { Database } from './schema.ts';

const ROOM = '!room:example.org';
const NOW = 1_800_000_000_000;

async function addEvents(
  db: Kysely<Database>,
  events: { id: string; sender: string; outlier?: boolean; rejected?: string }[],
): Promise<void> {
  await db
    .insertInto('rooms')
    .values({ room_id: ROOM, room_version: '10', creator: '@alice:example.org', created_ts: NOW })
    .onConflict((oc) => oc.doNothing())
    .execute();
  for (const event of events) {
    await db
      .insertInto('events')
      .values({
        event_id: event.id,
        room_id: ROOM,
        type: 'm.room.message',
        state_key: null,
        sender: event.sender,
        origin_server_ts: NOW,
        depth: 1,
        json: JSON.stringify({ type: 'm.room.message', sender: event.sender, n: event.id }),
        state_before: null,
        state_after: null,
        outlier: event.outlier ?? false,
        rejected_reason: event.rejected ?? null,
        redacted_by: null,
      })
      .execute();
  }
}

const typing = (n: number) => ({ edu_type: 'm.typing', content: { n } });

for (const kind of DATABASE_KINDS) {
  test(`${kind}: the events to send are local, neither outliers nor rejected, in a range`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await addEvents(db, [
        { id: '$1', sender: '@alice:example.org' },
        { id: '$2', sender: '@bob:remote.test' },
        { id: '$3', sender: '@alice:example.org', outlier: true },
        { id: '$4', sender: '@alice:example.org', rejected: 'auth_events' },
        { id: '$5', sender: '@mallory:evil:example.org' },
        { id: '$6', sender: '@alice:example.org' },
        { id: '$7', sender: '@alice:example.orgx' },
      ]);
      const all = await listEventsToSend(db, 'example.org', { after: 0, upTo: 100, limit: 10 });
      // The suffix match lets $5 through; the catch-up compares the exact server name.
      assert.deepEqual(
        all.map((event) => event.eventId),
        ['$1', '$5', '$6'],
      );
      const [first] = all;
      assert.equal(first!.roomId, ROOM);
      assert.equal(first!.stateKey, null);
      const range = await listEventsToSend(db, 'example.org', {
        after: first!.streamOrdering,
        upTo: all[2]!.streamOrdering - 1,
        limit: 10,
      });
      assert.deepEqual(
        range.map((event) => event.eventId),
        ['$5'],
      );
      assert.equal(
        (await listEventsToSend(db, 'example.org', { after: 0, upTo: 100, limit: 1 })).length,
        1,
      );
    }));

  test(`${kind}: PDUs are queued with the position; EDUs replace waiting ones by key`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      assert.equal(await getSenderPosition(db, EVENTS_STREAM), 0, 'set by the migration');
      assert.deepEqual(await listQueuedDestinations(db), []);
      await addEvents(db, [
        { id: '$1', sender: '@alice:example.org' },
        { id: '$2', sender: '@alice:example.org' },
      ]);
      await queuePdusAndAdvance(
        db,
        [
          { destination: 'a.test', eventId: '$1' },
          { destination: 'b.test', eventId: '$1' },
          { destination: 'a.test', eventId: '$2' },
        ],
        { stream: EVENTS_STREAM, position: 7, now: NOW },
      );
      assert.equal(await getSenderPosition(db, EVENTS_STREAM), 7);
      await queuePdusAndAdvance(db, [], { stream: EVENTS_STREAM, position: 9, now: NOW });
      assert.equal(await getSenderPosition(db, EVENTS_STREAM), 9);

      await queueEduRow(db, 'c.test', typing(1), { key: 'k', now: NOW });
      await queueEduRow(db, 'c.test', typing(2), { key: 'k', now: NOW });
      await queueEduRow(db, 'c.test', typing(3), { now: NOW });
      assert.deepEqual(await listQueuedDestinations(db), ['a.test', 'b.test', 'c.test']);

      const claimed = await claimTransaction(db, 'c.test', 'T1', { pdus: 50, edus: 100 });
      assert.deepEqual(claimed, { pdus: [], edus: [typing(2), typing(3)] });
      // A row in an attempt is not replaced: the new one waits for the next attempt.
      await queueEduRow(db, 'c.test', typing(4), { key: 'k', now: NOW });
      assert.deepEqual(await readTransaction(db, 'c.test', 'T1'), claimed);
      assert.deepEqual(await claimTransaction(db, 'c.test', 'T2', { pdus: 50, edus: 100 }), {
        pdus: [],
        edus: [typing(4)],
      });
    }));

  test(`${kind}: attempts take the oldest rows within the limits and stay fixed until done`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const ids = Array.from({ length: 60 }, (_, i) => `$${i}`);
      await addEvents(
        db,
        ids.map((id) => ({ id, sender: '@alice:example.org' })),
      );
      await queuePdusAndAdvance(
        db,
        ids.map((eventId) => ({ destination: 'a.test', eventId })),
        { stream: EVENTS_STREAM, position: 60, now: NOW },
      );
      for (let n = 0; n < 5; n++) await queueEduRow(db, 'a.test', typing(n), { now: NOW });

      assert.equal(await claimTransaction(db, 'z.test', 'T0', { pdus: 50, edus: 100 }), undefined);
      const first = await claimTransaction(db, 'a.test', 'T1', { pdus: 50, edus: 3 });
      assert.deepEqual(
        first!.pdus.map((pdu) => pdu.eventId),
        ids.slice(0, 50),
      );
      assert.deepEqual(first!.pdus[0]!.pdu, {
        type: 'm.room.message',
        sender: '@alice:example.org',
        n: '$0',
      });
      assert.deepEqual(first!.edus, [typing(0), typing(1), typing(2)]);
      assert.deepEqual(await getDestinationState(db, 'a.test'), {
        failures: 0,
        retryAtTs: 0,
        pendingTxnId: 'T1',
      });

      await saveRetryState(db, 'a.test', { failures: 2, retryAtTs: NOW + 10_000 });
      assert.deepEqual(await getDestinationState(db, 'a.test'), {
        failures: 2,
        retryAtTs: NOW + 10_000,
        pendingTxnId: 'T1',
      });
      assert.deepEqual(await readTransaction(db, 'a.test', 'T1'), first, 'the retry is the same');

      await completeTransaction(db, 'a.test', 'T1');
      assert.deepEqual(await getDestinationState(db, 'a.test'), {
        failures: 0,
        retryAtTs: 0,
        pendingTxnId: null,
      });
      assert.deepEqual(await readTransaction(db, 'a.test', 'T1'), { pdus: [], edus: [] });
      const second = await claimTransaction(db, 'a.test', 'T2', { pdus: 50, edus: 100 });
      assert.deepEqual(
        second!.pdus.map((pdu) => pdu.eventId),
        ids.slice(50),
      );
      assert.deepEqual(second!.edus, [typing(3), typing(4)]);
      await completeTransaction(db, 'a.test', 'T2');
      assert.deepEqual(await listQueuedDestinations(db), []);
    }));
}
