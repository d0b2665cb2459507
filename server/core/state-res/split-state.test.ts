import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stateKey } from '../state-map.ts';
import { splitState } from './split-state.ts';

const topic = stateKey('m.room.topic', '');
const name = stateKey('m.room.name', '');
const alice = stateKey('m.room.member', '@alice:x');

describe('splitState', () => {
  it('separates agreed keys from disputed ones', () => {
    const { unconflicted, conflicted } = splitState([
      new Map([
        [alice, '$join'],
        [topic, '$t2'],
      ]),
      new Map([
        [alice, '$join'],
        [topic, '$t1'],
      ]),
    ]);
    assert.deepEqual(unconflicted, new Map([[alice, '$join']]));
    assert.deepEqual(conflicted, new Map([[topic, ['$t1', '$t2']]]));
  });

  it('counts a key missing from one set as conflicted', () => {
    const { unconflicted, conflicted } = splitState([
      new Map([[name, '$n']]),
      new Map([[name, '$n']]),
      new Map(),
    ]);
    assert.equal(unconflicted.size, 0);
    assert.deepEqual(conflicted, new Map([[name, ['$n']]]));
  });

  it('lists each conflicted event once, whatever the order of the sets', () => {
    const a = new Map([[topic, '$b']]);
    const b = new Map([[topic, '$a']]);
    assert.deepEqual(splitState([a, b, a]).conflicted, splitState([b, a, b]).conflicted);
    assert.deepEqual(splitState([a, b, a]).conflicted.get(topic), ['$a', '$b']);
  });
});
