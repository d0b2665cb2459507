// Presence rows on both databases: publishing takes a new stream position, touching keeps it, and
// the timeout query finds exactly the rows a timeout changes (who shares rooms with whom is
// covered through /sync in client-api/presence/presence.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  getPresence,
  listTimedOutPresence,
  maxPresenceStreamId,
  type PresenceRecord,
  savePresence,
} from './presence.ts';

const NOW = 1_000_000_000;

function record(userId: string, fields: Partial<PresenceRecord> = {}): PresenceRecord {
  return {
    userId,
    state: 'online',
    statusMsg: null,
    lastActiveTs: NOW,
    syncingUntilTs: NOW,
    currentlyActive: true,
    ...fields,
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: presence rows publish at new positions; touches keep theirs`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      assert.equal(await maxPresenceStreamId(db), 0);
      assert.equal(await getPresence(db, '@alice:example.org'), undefined);

      await savePresence(db, record('@alice:example.org', { statusMsg: 'hi' }), { publish: true });
      await savePresence(db, record('@bob:example.org'), { publish: true });
      const alice = await getPresence(db, '@alice:example.org');
      const bob = await getPresence(db, '@bob:example.org');
      assert.deepEqual(alice, {
        ...record('@alice:example.org', { statusMsg: 'hi' }),
        streamId: 1,
      });
      assert.equal(bob?.streamId, 2);
      assert.equal(await maxPresenceStreamId(db), 2);

      // A touch moves the timestamps only: state and message as they were, same position.
      const touched = record('@alice:example.org', {
        state: 'offline',
        lastActiveTs: NOW + 5,
        syncingUntilTs: NOW + 9,
      });
      await savePresence(db, touched, { publish: false });
      assert.deepEqual(await getPresence(db, '@alice:example.org'), {
        ...alice,
        lastActiveTs: NOW + 5,
        syncingUntilTs: NOW + 9,
      });

      await savePresence(db, record('@alice:example.org', { state: 'unavailable' }), {
        publish: true,
      });
      const republished = await getPresence(db, '@alice:example.org');
      assert.equal(republished?.state, 'unavailable');
      assert.equal(republished?.statusMsg, null);
      // Later than every earlier position (the upsert's insert may use up one in between).
      assert.ok(republished!.streamId > 2);
      assert.equal(await maxPresenceStreamId(db), republished!.streamId);
    }));

  test(`${kind}: the timeout query finds offline, idle and inactive rows only`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const rows = [
        record('@fresh:example.org'),
        record('@gone:example.org', { lastActiveTs: NOW - 40, syncingUntilTs: NOW - 40 }),
        record('@polling:example.org', { lastActiveTs: NOW - 40, syncingUntilTs: NOW + 100 }),
        record('@idle:example.org', { lastActiveTs: NOW - 400, syncingUntilTs: NOW + 100 }),
        record('@inactive:example.org', { lastActiveTs: NOW - 70, syncingUntilTs: NOW + 100 }),
        record('@away:example.org', {
          state: 'unavailable',
          currentlyActive: false,
          lastActiveTs: NOW - 400,
          syncingUntilTs: NOW + 100,
        }),
        record('@off:example.org', {
          state: 'offline',
          currentlyActive: false,
          lastActiveTs: 0,
          syncingUntilTs: 0,
        }),
      ];
      for (const row of rows) await savePresence(db, row, { publish: true });
      const found = await listTimedOutPresence(db, {
        offlineBefore: NOW - 30,
        idleBefore: NOW - 300,
        inactiveBefore: NOW - 60,
      });
      assert.deepEqual(
        found.map((row) => row.userId),
        ['@gone:example.org', '@idle:example.org', '@inactive:example.org'],
      );
    }));
}
