import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AuthChainIndex, IS_POWER_LEVELS } from './auth-chain.ts';

// create <- join <- pl1 <- pl2, and a member event citing pl2 and join.
function sampleIndex(): AuthChainIndex {
  const index = new AuthChainIndex();
  index.add('create', []);
  index.add('join', ['create']);
  index.add('pl1', ['create', 'join'], IS_POWER_LEVELS);
  index.add('pl2', ['create', 'join', 'pl1'], IS_POWER_LEVELS);
  index.add('member', ['create', 'pl2', 'join']);
  return index;
}

/** Reference: a plain walk with a Set, no memo. */
function naiveChain(edges: Map<string, string[]>, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(edges.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return out;
}

describe('AuthChainIndex', () => {
  it('gives the full auth chain of an event, without the event itself', () => {
    const index = sampleIndex();
    assert.deepEqual(new Set(index.authChain('member')), new Set(['create', 'pl2', 'join', 'pl1']));
    assert.deepEqual(index.authChain('create'), []);
    assert.deepEqual(index.authChain('unknown'), []);
  });

  it('unions chains of several events', () => {
    const index = sampleIndex();
    assert.deepEqual(index.authChainOf(['pl1', 'join']), new Set(['create', 'join']));
  });

  it('finds the power levels auth event for mainline walks', () => {
    const index = sampleIndex();
    assert.equal(index.powerLevelsAuthEvent('member'), 'pl2');
    assert.equal(index.powerLevelsAuthEvent('pl2'), 'pl1');
    assert.equal(index.powerLevelsAuthEvent('pl1'), undefined);
  });

  it('extends a chain that reached a missing event once that event arrives', () => {
    const index = new AuthChainIndex();
    index.add('b', ['a']);
    assert.deepEqual(index.authChain('b'), ['a']);
    index.add('a', ['root']);
    index.add('root', []);
    assert.deepEqual(new Set(index.authChain('b')), new Set(['a', 'root']));
  });

  it('survives a cycle (forged server-assigned ids) without looping', () => {
    const index = new AuthChainIndex();
    index.add('x', ['y']);
    index.add('y', ['x', 'z']);
    index.add('z', []);
    assert.deepEqual(new Set(index.authChain('x')), new Set(['x', 'y', 'z']));
  });

  it('handles a chain deeper than the call stack', () => {
    const index = new AuthChainIndex();
    index.add('e0', []);
    for (let i = 1; i < 200_000; i++) index.add(`e${i}`, [`e${i - 1}`]);
    assert.equal(index.authChain('e199999').length, 199_999);
    assert.equal(index.authChainOf(['e199999', 'e5']).size, 199_999);
  });

  it('matches a naive walk on random DAGs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (parents, queries) => {
          const edges = new Map<string, string[]>();
          const index = new AuthChainIndex();
          parents.forEach((list, i) => {
            // Edges only to earlier events keep it acyclic, as reference hashes do.
            const auth = i === 0 ? [] : [...new Set(list.map((p) => `e${p % i}`))];
            edges.set(`e${i}`, auth);
            index.add(`e${i}`, auth);
          });
          for (const q of queries) {
            const id = `e${q % parents.length}`;
            assert.deepEqual(new Set(index.authChain(id)), naiveChain(edges, id));
            assert.deepEqual(index.authChainOf([id]), naiveChain(edges, id));
          }
        },
      ),
    );
  });
});
