// Room sections by membership history, as a case table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyRooms } from './classify-rooms.ts';
import type { RoomMembership } from './room-memberships.ts';

const row = (membership: string, streamOrdering = 1) => ({
  roomId: '!r',
  eventId: `$${membership}${streamOrdering}`,
  streamOrdering,
  membership,
});

function room(current: string, previous?: string, changes: string[] = []): RoomMembership {
  return {
    roomId: '!r',
    current: row(current, 10),
    previous: previous === undefined ? undefined : row(previous, 1),
    changes: changes.map((m, i) => row(m, 5 + i)),
  };
}

const initial = { initial: true, fullState: false, includeLeave: false };
const incremental = { initial: false, fullState: false, includeLeave: false };

test('sections per membership, initial and incremental', () => {
  const cases: [string, RoomMembership, typeof initial, string | undefined, boolean?][] = [
    ['joined, initial', room('join'), initial, 'join', false],
    ['joined throughout', room('join', 'join'), incremental, 'join', false],
    ['profile change', room('join', 'join', ['join']), incremental, 'join', false],
    ['joined since', room('join', 'invite', ['join']), incremental, 'join', true],
    ['left and rejoined', room('join', 'join', ['leave', 'join']), incremental, 'join', true],
    ['invited, initial', room('invite'), initial, 'invite'],
    ['invite already seen', room('invite', 'invite'), incremental, undefined],
    ['new invite', room('invite', undefined, ['invite']), incremental, 'invite'],
    ['knock', room('knock', undefined, ['knock']), incremental, 'knock'],
    ['left, initial', room('leave'), initial, undefined],
    ['left, initial, include_leave', room('leave'), { ...initial, includeLeave: true }, 'leave'],
    ['left since', room('leave', 'join', ['leave']), incremental, 'leave'],
    ['invite rejected', room('leave', 'invite', ['leave']), incremental, 'leave'],
    ['banned since', room('ban', 'join', ['ban']), incremental, 'leave'],
    ['left long ago', room('leave', 'leave'), incremental, undefined],
    ['kicked then banned', room('ban', 'leave', ['ban']), incremental, undefined],
    [
      'full state with include_leave',
      room('leave', 'leave'),
      { initial: false, fullState: true, includeLeave: true },
      'leave',
    ],
  ];
  for (const [name, membership, options, section, newlyJoined] of cases) {
    const [placement, ...rest] = classifyRooms([membership], options);
    assert.equal(rest.length, 0, name);
    assert.equal(placement?.section, section, name);
    if (placement?.section === 'join') assert.equal(placement.newlyJoined, newlyJoined, name);
  }
});
