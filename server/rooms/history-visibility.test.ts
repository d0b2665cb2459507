// The spec's history visibility rules as a case table: visibility and membership before the
// event, whether the user joined later, and the boundary events (a visibility change, the user's
// own membership change) that count the setting on either side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type EventFacts,
  historyVisibilityOf,
  mayUserSeeEvent,
  type ViewerFacts,
} from './history-visibility.ts';

const alice = '@alice:example.org';
const message: EventFacts = { type: 'm.room.message', stateKey: undefined, content: {} };
const viewer = (facts: Partial<ViewerFacts>): ViewerFacts => ({
  userId: alice,
  visibilityBefore: 'shared',
  membershipBefore: undefined,
  joinedAfter: false,
  ...facts,
});

test('history_visibility values: unknown and missing are shared', () => {
  assert.equal(historyVisibilityOf({ history_visibility: 'joined' }), 'joined');
  assert.equal(historyVisibilityOf({ history_visibility: 'nonsense' }), 'shared');
  assert.equal(historyVisibilityOf({ history_visibility: 3 }), 'shared');
  assert.equal(historyVisibilityOf(undefined), 'shared');
});

test('an ordinary event, by visibility, membership at the event and a later join', () => {
  const cases: [ViewerFacts['visibilityBefore'], string | undefined, boolean, boolean][] = [
    // visibility, membership at the event, joined after, visible
    ['world_readable', undefined, false, true],
    ['world_readable', 'leave', false, true],
    ['shared', 'join', false, true],
    ['shared', undefined, true, true],
    ['shared', undefined, false, false],
    ['shared', 'invite', false, false],
    ['shared', 'leave', true, true],
    ['invited', 'invite', false, true],
    ['invited', 'join', false, true],
    ['invited', undefined, true, false],
    ['invited', 'leave', false, false],
    ['joined', 'join', false, true],
    ['joined', 'invite', true, false],
    ['joined', undefined, true, false],
    ['joined', 'ban', false, false],
  ];
  for (const [visibilityBefore, membershipBefore, joinedAfter, visible] of cases) {
    assert.equal(
      mayUserSeeEvent(message, viewer({ visibilityBefore, membershipBefore, joinedAfter })),
      visible,
      `${visibilityBefore}, ${membershipBefore}, joined after: ${joinedAfter}`,
    );
  }
});

test("a user's own membership change is visible if either side allows it", () => {
  const own = (membership: string): EventFacts => ({
    type: 'm.room.member',
    stateKey: alice,
    content: { membership },
  });
  // Their join under `joined`, though they were not joined before it.
  assert.equal(mayUserSeeEvent(own('join'), viewer({ visibilityBefore: 'joined' })), true);
  // Their leave: joined before it.
  const joined = viewer({ visibilityBefore: 'joined', membershipBefore: 'join' });
  assert.equal(mayUserSeeEvent(own('leave'), joined), true);
  // Their invite under `invited`.
  assert.equal(mayUserSeeEvent(own('invite'), viewer({ visibilityBefore: 'invited' })), true);
  // ...but not someone else's join.
  const bobJoins = {
    type: 'm.room.member',
    stateKey: '@bob:example.org',
    content: { membership: 'join' },
  };
  assert.equal(mayUserSeeEvent(bobJoins, viewer({ visibilityBefore: 'joined' })), false);
});

test('a history visibility change is visible if the setting before or after allows it', () => {
  const change = (to: string): EventFacts => ({
    type: 'm.room.history_visibility',
    stateKey: '',
    content: { history_visibility: to },
  });
  assert.equal(
    mayUserSeeEvent(change('joined'), viewer({ visibilityBefore: 'world_readable' })),
    true,
  );
  assert.equal(
    mayUserSeeEvent(change('world_readable'), viewer({ visibilityBefore: 'joined' })),
    true,
  );
  assert.equal(mayUserSeeEvent(change('invited'), viewer({ visibilityBefore: 'joined' })), false);
});
