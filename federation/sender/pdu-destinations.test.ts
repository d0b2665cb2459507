import assert from 'node:assert/strict';
import { test } from 'node:test';
import { destinationsOfEvent } from './pdu-destinations.ts';

const joined = ['a.test', 'example.org', 'b.test:8448'];

test('a message goes to every other joined server, never to ourselves', () => {
  const message = { type: 'm.room.message', stateKey: null };
  assert.deepEqual(destinationsOfEvent(message, joined, 'example.org'), ['a.test', 'b.test:8448']);
  assert.deepEqual(destinationsOfEvent(message, ['example.org'], 'example.org'), []);
});

test("a membership event about a remote user also goes to that user's server", () => {
  const invite = { type: 'm.room.member', stateKey: '@carol:c.test' };
  assert.deepEqual(destinationsOfEvent(invite, joined, 'example.org'), [
    'a.test',
    'b.test:8448',
    'c.test',
  ]);
  const own = { type: 'm.room.member', stateKey: '@alice:example.org' };
  assert.deepEqual(destinationsOfEvent(own, joined, 'example.org'), ['a.test', 'b.test:8448']);
  // Other state keys are not user ids.
  const topic = { type: 'm.room.topic', stateKey: '' };
  assert.deepEqual(destinationsOfEvent(topic, ['example.org'], 'example.org'), []);
});
