import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AuthChainIndex } from './auth-chain.ts';
import { authDifference } from './auth-difference.ts';

describe('authDifference', () => {
  it('is the events in some but not all full auth chains', () => {
    const index = new AuthChainIndex();
    index.add('create', []);
    index.add('a1', ['create']);
    index.add('a2', ['create', 'a1']);
    index.add('b1', ['create']);
    // Set 1 ends on a2 (chain create, a1), set 2 on b1 (chain create).
    assert.deepEqual(
      authDifference(index, [
        ['create', 'a2'],
        ['create', 'b1'],
      ]),
      new Set(['a1']),
    );
  });

  it('does not count a state event as part of its own chain', () => {
    const index = new AuthChainIndex();
    index.add('create', []);
    index.add('x', ['create']);
    index.add('y', ['create', 'x']);
    // x is in both sets, but only set 1 has an event citing it.
    assert.deepEqual(authDifference(index, [['x', 'y'], ['x']]), new Set(['x']));
  });

  it('is empty for one state set', () => {
    const index = new AuthChainIndex();
    index.add('a', []);
    assert.deepEqual(authDifference(index, [['a']]), new Set());
  });

  it('agrees with ∪C − ∩C computed naively on random DAGs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 2, maxLength: 30 }),
        fc.array(fc.array(fc.nat(), { maxLength: 8 }), { minLength: 2, maxLength: 4 }),
        (parents, sets) => {
          const index = new AuthChainIndex();
          parents.forEach((list, i) => {
            index.add(`e${i}`, i === 0 ? [] : list.map((p) => `e${p % i}`));
          });
          const stateSets = sets.map((set) => set.map((n) => `e${n % parents.length}`));
          const chains = stateSets.map((set) => index.authChainOf(set));
          const union = new Set(chains.flatMap((c) => [...c]));
          const expected = new Set([...union].filter((id) => !chains.every((c) => c.has(id))));
          assert.deepEqual(authDifference(index, stateSets), expected);
        },
      ),
    );
  });
});
