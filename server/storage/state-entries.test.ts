// readStateEntries on both databases: a few keys read from many groups at once, across delta
// chains that set, overwrite and remove those keys, agree with each group's full state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { type StateKey, stateKey } from '../core/state-map.ts';
import { readStateEntries } from './state-entries.ts';
import {
  MAX_DELTA_DEPTH,
  readStateGroup,
  writeStateDelta,
  writeStateGroup,
} from './state-groups.ts';

const ROOM = '!entries:example.org';
const VISIBILITY: readonly [string, string] = ['m.room.history_visibility', ''];
const ALICE: readonly [string, string] = ['m.room.member', '@alice:example.org'];
const NEVER: readonly [string, string] = ['m.room.member', '@nobody:example.org'];

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a few keys from many groups match each group's whole state`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const initial = new Map<StateKey, string>([[stateKey('m.room.create', ''), '$create']]);
      for (let i = 0; i < 30; i++) initial.set(stateKey('m.room.member', `@u${i}:x`), `$j${i}`);
      const groups = [await writeStateGroup(db, ROOM, initial)];
      // Past MAX_DELTA_DEPTH, so the chain passes a second snapshot; Alice joins, leaves, and
      // her entry is removed and set again; the visibility changes twice.
      for (let i = 0; i < MAX_DELTA_DEPTH + 10; i++) {
        const changes: [string, string | null][] = [
          [stateKey('m.room.member', `@n${i}:x`), `$n${i}`],
        ];
        if (i === 3) changes.push([stateKey(...ALICE), '$alice-join']);
        if (i === 8) changes.push([stateKey(...VISIBILITY), '$shared']);
        if (i === 20) changes.push([stateKey(...ALICE), '$alice-leave']);
        if (i === 30) changes.push([stateKey(...ALICE), null]);
        if (i === 55) changes.push([stateKey(...ALICE), '$alice-again']);
        if (i === 56) changes.push([stateKey(...VISIBILITY), '$joined']);
        groups.push(await writeStateDelta(db, ROOM, groups.at(-1)!, changes));
      }
      const keys = [VISIBILITY, ALICE, NEVER];
      const read = await readStateEntries(db, [...groups, 999_999], keys);
      assert.deepEqual(read.get(999_999), new Map(), 'an unknown group has no entries');
      for (const group of groups) {
        const whole = await readStateGroup(db, group);
        const expected = new Map(
          keys.flatMap(([type, key]) => {
            const eventId = whole.get(stateKey(type, key));
            return eventId === undefined ? [] : [[stateKey(type, key), eventId] as const];
          }),
        );
        assert.deepEqual(read.get(group), expected, `group ${group}`);
      }
      const at = (i: number) => read.get(groups[i + 1]!)!;
      assert.equal(at(2).get(stateKey(...ALICE)), undefined);
      assert.equal(at(3).get(stateKey(...ALICE)), '$alice-join');
      assert.equal(at(25).get(stateKey(...ALICE)), '$alice-leave');
      assert.equal(at(40).get(stateKey(...ALICE)), undefined, 'removed by a null entry');
      assert.equal(at(57).get(stateKey(...ALICE)), '$alice-again');
      assert.equal(at(57).get(stateKey(...VISIBILITY)), '$joined');
      assert.equal(at(10).get(stateKey(...VISIBILITY)), '$shared');
    }));
}
