import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AuthChainIndex } from './auth-chain.ts';
import { conflictedSubgraph } from './conflicted-subgraph.ts';

describe('conflictedSubgraph', () => {
  it('keeps the events between two conflicted events, endpoints included', () => {
    // A <- B <- C <- D <- E with B and D conflicted: {B, C, D}.
    const index = new AuthChainIndex();
    index.add('A', []);
    index.add('B', ['A']);
    index.add('C', ['B']);
    index.add('D', ['C']);
    index.add('E', ['D']);
    assert.deepEqual(conflictedSubgraph(index, ['B', 'D']), new Set(['B', 'C', 'D']));
  });

  it('is just the conflicted events when no path joins them', () => {
    const index = new AuthChainIndex();
    index.add('root', []);
    index.add('x', ['root']);
    index.add('y', ['root']);
    assert.deepEqual(conflictedSubgraph(index, ['x', 'y']), new Set(['x', 'y']));
  });

  it('matches ancestors ∩ descendants of the conflicted events on random DAGs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        (parents, picks) => {
          const index = new AuthChainIndex();
          parents.forEach((list, i) => {
            index.add(`e${i}`, i === 0 ? [] : list.map((p) => `e${p % i}`));
          });
          const conflicted = [...new Set(picks.map((n) => `e${n % parents.length}`))];
          const expected = new Set<string>();
          for (let i = 0; i < parents.length; i++) {
            const id = `e${i}`;
            const chain = index.authChainOf([id]);
            const isAncestor = conflicted.some((c) => c === id || index.authChainOf([c]).has(id));
            const isDescendant = conflicted.some((c) => c === id || chain.has(c));
            if (isAncestor && isDescendant) expected.add(id);
          }
          assert.deepEqual(conflictedSubgraph(index, conflicted), expected);
        },
      ),
    );
  });
});
