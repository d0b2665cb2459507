// State groups of a big room on both databases: a snapshot of 10,000 members is written in
// batches (in one statement it passes PGlite's 32,767 bind parameters, after which PGlite failed
// the next statements: a 500 at about 8,000 joins in the federation benchmark), a delta on top of
// it reads back whole, and the database is still usable afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { stateKey } from '../core/state-map.ts';
import { getEvents } from './events.ts';
import {
  diffState,
  MAX_DELTA_DEPTH,
  readStateGroup,
  writeStateDelta,
  writeStateGroup,
} from './state-groups.ts';

const ROOM = '!big:example.org';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a 10,000-member state snapshot and a delta on it`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const state = new Map<string, string>([[stateKey('m.room.create', ''), '$create']]);
      for (let i = 0; i < 10_000; i++) {
        state.set(stateKey('m.room.member', `@user${i}:example.org`), `$join${i}`);
      }
      const snapshot = await writeStateGroup(db, ROOM, state);
      assert.deepEqual(await readStateGroup(db, snapshot), state);

      const next = new Map(state);
      next.set(stateKey('m.room.member', '@user7:example.org'), '$leave7');
      next.delete(stateKey('m.room.member', '@user8:example.org'));
      const delta = await writeStateDelta(db, ROOM, snapshot, diffState(state, next));
      assert.deepEqual(await readStateGroup(db, delta), next);
      const rows = await db
        .selectFrom('state_group_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state_group', '=', delta)
        .executeTakeFirstOrThrow();
      assert.equal(Number(rows.n), 2, 'the delta holds only what changed');
      // Looking up more events at once than a statement may bind (a big room's state and auth
      // chain) is batched the same way.
      const ids = Array.from({ length: 40_000 }, (_, i) => `$event${i}`);
      assert.equal((await getEvents(db, ids)).size, 0);
      assert.equal((await readStateGroup(db, delta)).size, next.size);
    }));
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: deltas written from changes alone; the chain ends in a snapshot`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const expected = new Map<string, string>([[stateKey('m.room.create', ''), '$create']]);
      let group = await writeStateGroup(db, ROOM, expected);
      const depths: number[] = [];
      for (let i = 0; i < MAX_DELTA_DEPTH + 2; i++) {
        const key = stateKey('m.room.member', `@user${i}:example.org`);
        const changes: [string, string | null][] = [[key, `$join${i}`]];
        expected.set(key, `$join${i}`);
        if (i % 7 === 6) {
          // A removal too: the key set by the event before.
          const gone = stateKey('m.room.member', `@user${i - 1}:example.org`);
          changes.push([gone, null]);
          expected.delete(gone);
        }
        group = await writeStateDelta(db, ROOM, group, changes);
        const row = await db
          .selectFrom('state_groups')
          .select(['delta_depth', 'prev_group'])
          .where('state_group', '=', group)
          .executeTakeFirstOrThrow();
        depths.push(row.delta_depth);
        assert.deepEqual(await readStateGroup(db, group), expected, `after change ${i}`);
      }
      // Depths 1..49, then a snapshot (0) holding everything, then deltas on it again.
      assert.equal(depths[MAX_DELTA_DEPTH - 2], MAX_DELTA_DEPTH - 1);
      assert.equal(depths[MAX_DELTA_DEPTH - 1], 0);
      assert.equal(depths[MAX_DELTA_DEPTH], 1);
    }));
}
