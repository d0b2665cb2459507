import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advanceForwardExtremities, forwardExtremities } from './forward-extremities.ts';

describe('forwardExtremities', () => {
  it('is the events nothing references', () => {
    const events = [
      { eventId: '$a', prevEvents: [] },
      { eventId: '$b', prevEvents: ['$a'] },
      { eventId: '$c', prevEvents: ['$a'] },
      { eventId: '$d', prevEvents: ['$b'] },
    ];
    assert.deepEqual(forwardExtremities(events), ['$c', '$d']);
  });
});

describe('advanceForwardExtremities', () => {
  it('replaces the extremities a new event merges', () => {
    const next = advanceForwardExtremities(
      ['$c', '$d'],
      [{ eventId: '$e', prevEvents: ['$c', '$d'] }],
      () => false,
    );
    assert.deepEqual(next, ['$e']);
  });

  it('keeps a late old event out when something already references it', () => {
    const next = advanceForwardExtremities(
      ['$d'],
      [{ eventId: '$b', prevEvents: ['$a'] }],
      (id) => id === '$b',
    );
    assert.deepEqual(next, ['$d']);
  });

  it('handles a batch that references itself', () => {
    const next = advanceForwardExtremities(
      ['$a'],
      [
        { eventId: '$c', prevEvents: ['$b'] },
        { eventId: '$b', prevEvents: ['$a'] },
      ],
      () => false,
    );
    assert.deepEqual(next, ['$c']);
  });
});
