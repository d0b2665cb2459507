// The sync build queue: no more than its limit at once, users taking turns, a failed build still
// handing its turn on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncBuildQueue } from './build-queue.ts';

/** A build that finishes when told to, recording when it started. */
function gate(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    build: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('runs at most its limit at once, then the others as turns free up', async () => {
  const queue = new SyncBuildQueue(2);
  const started: string[] = [];
  const gates = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
  const results = gates.map((g, i) => queue.run(`@u${i}:x`, g.build));
  await tick();
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(queue.queued, 2);
  gates[1]!.finish();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c']);
  gates[0]!.finish();
  gates[2]!.finish();
  gates[3]!.finish();
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
  assert.equal(queue.queued, 0);
});

test('a user with many builds waiting takes turns with the others, not all first', async () => {
  const queue = new SyncBuildQueue(1);
  const started: string[] = [];
  const first = gate(started, 'busy-0');
  const all = [queue.run('@busy:x', first.build)];
  const rest: { finish: () => void }[] = [];
  for (let i = 1; i <= 3; i++) {
    const g = gate(started, `busy-${i}`);
    rest.push(g);
    all.push(queue.run('@busy:x', g.build));
  }
  const other = gate(started, 'other');
  all.push(queue.run('@other:x', other.build));
  const third = gate(started, 'third');
  all.push(queue.run('@third:x', third.build));
  await tick();
  first.finish();
  for (const g of [...rest, other, third]) g.finish();
  await Promise.all(all);
  // @busy came first and queued three more; @other and @third each got a turn after one of them.
  assert.deepEqual(started, ['busy-0', 'busy-1', 'other', 'third', 'busy-2', 'busy-3']);
});

test('a build that throws hands its turn on and rejects its own caller only', async () => {
  const queue = new SyncBuildQueue(1);
  const failing = queue.run('@a:x', async () => {
    throw new Error('broken build');
  });
  const next = queue.run('@b:x', async () => 'fine');
  await assert.rejects(failing, /broken build/);
  assert.equal(await next, 'fine');
  assert.equal(await queue.run('@a:x', async () => 'again'), 'again');
});
