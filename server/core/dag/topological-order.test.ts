import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lexicographicTopologicalSort, orderByPrevEvents } from './topological-order.ts';

describe('lexicographicTopologicalSort', () => {
  it('places dependencies first and the smallest ready node next', () => {
    // Node -> the nodes it depends on (as auth events).
    const graph = new Map([
      ['l', ['o']],
      ['m', ['n', 'o']],
      ['n', ['o']],
      ['o', []],
      ['p', ['o']],
    ]);
    const sorted = lexicographicTopologicalSort(
      graph.keys(),
      (n) => graph.get(n)!,
      (a, b) => a < b,
    );
    assert.deepEqual(sorted, ['o', 'l', 'n', 'm', 'p']);
  });

  it('leaves out nodes on a cycle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', []],
    ]);
    const sorted = lexicographicTopologicalSort(
      graph.keys(),
      (n) => graph.get(n)!,
      (a, b) => a < b,
    );
    assert.deepEqual(sorted, ['c']);
  });
});

describe('orderByPrevEvents', () => {
  it('orders parents before children, then by depth and id', () => {
    const events = [
      { eventId: '$c', depth: 3, prevEvents: ['$a', '$b'] },
      { eventId: '$b', depth: 2, prevEvents: ['$a'] },
      { eventId: '$a', depth: 1, prevEvents: ['$outside'] },
      { eventId: '$d', depth: 2, prevEvents: ['$a'] },
    ];
    assert.deepEqual(
      orderByPrevEvents(events).map((e) => e.eventId),
      ['$a', '$b', '$d', '$c'],
    );
  });
});
