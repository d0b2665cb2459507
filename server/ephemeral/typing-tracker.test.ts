// The typing tracker with a hand-driven clock: timeouts expire lazily, changes are numbered, and
// every change wakes the room.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypingTracker } from './typing-tracker.ts';

test('typing starts, is refreshed, stops and expires; changes are positioned', (t) => {
  let clock = 1_000;
  const woken: string[] = [];
  const typing = new TypingTracker({ now: () => clock, onChange: (room) => woken.push(room) });
  t.after(() => typing.close());

  assert.equal(typing.position(), 0);
  typing.setTyping('!a', '@alice:x', 10_000);
  typing.setTyping('!a', '@bob:x', 5_000);
  typing.setTyping('!b', '@carol:x', 5_000);
  assert.deepEqual(typing.usersTyping('!a'), ['@alice:x', '@bob:x']);
  assert.deepEqual(woken, ['!a', '!a', '!b']);
  const afterStart = typing.position();
  assert.ok(afterStart >= clock, 'positions are at least the clock');

  // Typing again only extends the timeout: no change, no wake.
  typing.setTyping('!a', '@alice:x', 30_000);
  assert.equal(typing.position(), afterStart);
  assert.deepEqual(woken.length, 3);
  // Stopping when not typing is no change either.
  typing.setTyping('!a', '@dave:x', undefined);
  assert.equal(typing.position(), afterStart);

  clock += 5_000; // bob and carol time out
  assert.deepEqual(typing.usersTyping('!a'), ['@alice:x']);
  assert.deepEqual(
    typing.changesSince(['!a', '!b', '!c'], afterStart),
    new Map([
      ['!a', ['@alice:x']],
      ['!b', []],
    ]),
  );
  assert.deepEqual(woken, ['!a', '!a', '!b', '!a', '!b']);
  const afterExpiry = typing.position();
  assert.deepEqual(typing.changesSince(['!a', '!b'], afterExpiry), new Map());

  typing.setTyping('!a', '@alice:x', undefined);
  assert.deepEqual(typing.changesSince(['!a'], afterExpiry), new Map([['!a', []]]));
  assert.deepEqual(typing.typingIn(['!a', '!b']), new Map());

  // A token from the future (a restart with the clock set back) gets the full current state.
  typing.setTyping('!b', '@carol:x', 1_000);
  assert.deepEqual(
    typing.changesSince(['!a', '!b'], typing.position() + 10),
    new Map([['!b', ['@carol:x']]]),
  );
});

test('the expiry timer wakes the room without anyone reading', async (t) => {
  let woken = 0;
  const typing = new TypingTracker({ now: Date.now, onChange: () => woken++ });
  t.after(() => typing.close());
  typing.setTyping('!a', '@alice:x', 20);
  assert.equal(woken, 1);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(woken, 2, 'the timeout was announced');
});
