// The well-known state resolution v2 scenarios (the facts of Synapse's tests/state/test_v2.py,
// rebuilt with our own builder), run in room versions on v2 and on v2.1: v2.1 only adds events to
// replay and changes the starting state, and none of these cases depend on that.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALICE,
  BOB,
  CHARLIE,
  EVELYN,
  join,
  joinRules,
  member,
  message,
  powerLevels,
  ScenarioDag,
  topic,
  ZARA,
} from './testing/scenario-dag.ts';

const VERSIONS = ['6', '10', '11', '12'];

for (const version of VERSIONS) {
  describe(`state resolution scenarios, room version ${version}`, () => {
    it('ban vs power levels: a ban on one fork survives a power change on the other', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('PA', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('MA', join(ALICE))
        .node('MB', member(ALICE, BOB, 'ban'))
        .node('PB', powerLevels(BOB, { [ALICE]: 100, [BOB]: 50 }))
        .edges(['END', 'MB', 'MA', 'PA', 'START'], ['END', 'PB', 'PA'])
        .run();
      const expected = ['PA', 'MA', 'MB'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('join rule evasion: a join racing a switch to private is refused', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('JR', joinRules(ALICE, 'private'))
        .node('ME', join(EVELYN))
        .edges(['END', 'JR', 'START'], ['END', 'ME', 'START'])
        .run();
      assert.deepEqual(dag.changes(['JR']), dag.expectedState(['JR']));
    });

    it('offtopic power levels: a demotion chain on one fork beats the older power levels', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('PA', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('PB', powerLevels(BOB, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 50 }))
        .node('PC', powerLevels(CHARLIE, { [ALICE]: 100, [BOB]: 50, [CHARLIE]: 0 }))
        .edges(['END', 'PC', 'PB', 'PA', 'START'], ['END', 'PA'])
        .run();
      assert.deepEqual(dag.changes(['PC']), dag.expectedState(['PC']));
    });

    it('topic basic: a topic sent with power later revoked loses', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('T1', topic(ALICE))
        .node('PA1', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('T2', topic(ALICE))
        .node('PA2', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 0 }))
        .node('PB', powerLevels(BOB, { [ALICE]: 100, [BOB]: 50 }))
        .node('T3', topic(BOB))
        .edges(['END', 'PA2', 'T2', 'PA1', 'T1', 'START'], ['END', 'T3', 'PB', 'PA1'])
        .run();
      const expected = ['PA2', 'T2'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('topic reset: banning the sender of the latest topic brings the older topic back', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('T1', topic(ALICE))
        .node('PA', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('T2', topic(BOB))
        .node('MB', member(ALICE, BOB, 'ban'))
        .edges(['END', 'MB', 'T2', 'PA', 'T1', 'START'], ['END', 'T1'])
        .run();
      const expected = ['T1', 'MB', 'PA'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('topic: a later topic from the winning power level wins over the revoked fork', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('T1', topic(ALICE))
        .node('PA1', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('T2', topic(ALICE))
        .node('PA2', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 0 }))
        .node('PB', powerLevels(BOB, { [ALICE]: 100, [BOB]: 50 }))
        .node('T3', topic(BOB))
        .node('MZ1', message(ZARA))
        .node('T4', topic(ALICE))
        .edges(
          ['END', 'T4', 'MZ1', 'PA2', 'T2', 'PA1', 'T1', 'START'],
          ['END', 'MZ1', 'T3', 'PB', 'PA1'],
        )
        .run();
      const expected = ['T4', 'PA2'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('mainline ordering: the topic citing the newest mainline power levels wins', async () => {
      // Without mainline ordering T4 would win, being sent after T3.
      const dag = await ScenarioDag.standard(version)
        .node('T1', topic(ALICE))
        .node('PA1', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('T2', topic(ALICE))
        .node(
          'PA2',
          powerLevels(
            ALICE,
            { [ALICE]: 100, [BOB]: 50 },
            { events: { 'm.room.power_levels': 100 } },
          ),
        )
        .node('PB', powerLevels(BOB, { [ALICE]: 100, [BOB]: 50 }))
        .node('T3', topic(BOB))
        .node('T4', topic(ALICE))
        .edges(['END', 'T3', 'PA2', 'T2', 'PA1', 'T1', 'START'], ['END', 'T4', 'PB', 'PA1'])
        .run();
      const expected = ['T3', 'PA2'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });
  });
}
