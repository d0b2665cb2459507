// More fork scenarios on the standard room: a malicious fork using outdated power, joins racing
// join rule changes, concurrent joins, and timestamp tie-breaks.

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
  powerLevels,
  ScenarioDag,
  topic,
  ZARA,
} from './testing/scenario-dag.ts';

const VERSIONS = ['10', '11', '12'];

for (const version of VERSIONS) {
  describe(`fork scenarios, room version ${version}`, () => {
    it('a fork citing outdated power cannot ban the moderator after a demotion', async () => {
      // Bob (75) is demoted by Alice on one fork; on the other he bans Charlie (50) as if he
      // still had his power, and even sends it later. Alice's demotion sorts first (her level is
      // higher), so Bob's ban is checked against it and refused.
      const dag = await ScenarioDag.standard(version)
        .node('PA1', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 75, [CHARLIE]: 50 }))
        .node('PA2', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 0, [CHARLIE]: 50 }))
        .node('ZBAN', member(BOB, CHARLIE, 'ban'))
        .edges(['END', 'PA2', 'PA1', 'START'], ['END', 'ZBAN', 'PA1'])
        .run();
      const expected = ['PA2', 'IMC'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('what a demoted user did on his fork falls with him', async () => {
      // Bob (75) promotes Charlie on his fork and Charlie kicks Zara; meanwhile Alice demoted
      // Bob. Bob's promotion is refused against the demotion, so Charlie's kick is too.
      const dag = await ScenarioDag.standard(version)
        .node('PA1', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 75 }))
        .node('PA2', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 0 }))
        .node('BP', powerLevels(BOB, { [ALICE]: 100, [BOB]: 75, [CHARLIE]: 75 }))
        .node('CK', member(CHARLIE, ZARA, 'leave'))
        .edges(['END', 'PA2', 'PA1', 'START'], ['END', 'CK', 'BP', 'PA1'])
        .run();
      const expected = ['PA2', 'IMZ'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('a join racing a switch to invite-only is refused', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('JR', joinRules(ALICE, 'invite'))
        .node('ME', join(EVELYN))
        .edges(['END', 'JR', 'START'], ['END', 'ME', 'START'])
        .run();
      const changes = dag.changes(['JR']);
      assert.deepEqual(changes, dag.expectedState(['JR']));
    });

    it('an invited user joins despite a concurrent switch to invite-only', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('IE', member(ALICE, EVELYN, 'invite'))
        .node('JR', joinRules(ALICE, 'invite'))
        .node('ME', join(EVELYN))
        .edges(['END', 'JR', 'IE', 'START'], ['END', 'ME', 'IE'])
        .run();
      const expected = ['JR', 'ME'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('a ban beats a concurrent join of the banned user', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('BE', member(ALICE, EVELYN, 'ban'))
        .node('ME', join(EVELYN))
        .edges(['END', 'BE', 'START'], ['END', 'ME', 'START'])
        .run();
      assert.deepEqual(dag.changes(['BE']), dag.expectedState(['BE']));
    });

    it('concurrent joins of different users are both kept', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('ME', join(EVELYN))
        .node('MZ', join('@zoe:example.com'))
        .edges(['END', 'ME', 'START'], ['END', 'MZ', 'START'])
        .run();
      const expected = ['ME', 'MZ'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('concurrent topics from the same power epoch: the later timestamp wins', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('TA', topic(ALICE, 'a'))
        .node('TB', topic(BOB, 'b'))
        .node('PB', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .edges(['END', 'TA', 'PB', 'START'], ['END', 'TB', 'PB'])
        .run();
      // Both cite PB; TB was processed after TA (names sort TA < TB), so it is replayed last.
      const expected = ['PB', 'TB'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });

    it('a kick of the topic setter does not remove the topic (only bans and state matter)', async () => {
      const dag = await ScenarioDag.standard(version)
        .node('PA', powerLevels(ALICE, { [ALICE]: 100, [BOB]: 50 }))
        .node('TB', topic(BOB, 'b'))
        .node('KB', member(ALICE, BOB, 'leave'))
        .edges(['END', 'KB', 'PA', 'START'], ['END', 'TB', 'PA'])
        .run();
      // The kick is a power event and is replayed first; Bob's topic then fails (he is gone).
      const expected = ['PA', 'KB'];
      assert.deepEqual(dag.changes(expected), dag.expectedState(expected));
    });
  });
}
