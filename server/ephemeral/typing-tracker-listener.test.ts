// The typing tracker's listener (the federation sender's source): told of every start, refresh,
// stop and expiry, for every user, with a hand-driven clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type TypingChange, TypingTracker } from './typing-tracker.ts';

test('listeners hear starts, refreshes, stops and expiries until they unsubscribe', (t) => {
  let clock = 1_000;
  const typing = new TypingTracker({ now: () => clock, onChange: () => {} });
  t.after(() => typing.close());
  const heard: TypingChange[] = [];
  const unsubscribe = typing.subscribe((change) => heard.push(change));

  typing.setTyping('!a', '@alice:x', 10_000);
  typing.setTyping('!a', '@alice:x', 10_000); // a refresh: other servers must hear it again
  typing.setTyping('!a', '@bob:y', 5_000);
  typing.setTyping('!a', '@carol:x', undefined); // was not typing: nothing to say
  typing.setTyping('!a', '@alice:x', undefined);
  clock += 5_000;
  assert.deepEqual(typing.usersTyping('!a'), []); // bob expires
  assert.deepEqual(heard, [
    { roomId: '!a', userId: '@alice:x', typing: true },
    { roomId: '!a', userId: '@alice:x', typing: true },
    { roomId: '!a', userId: '@bob:y', typing: true },
    { roomId: '!a', userId: '@alice:x', typing: false },
    { roomId: '!a', userId: '@bob:y', typing: false },
  ]);

  unsubscribe();
  typing.setTyping('!a', '@alice:x', 10_000);
  assert.equal(heard.length, 5);
});
