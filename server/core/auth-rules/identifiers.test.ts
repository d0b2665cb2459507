import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidServerName, isValidUserId, serverNameOf, utf8ByteLength } from './identifiers.ts';

describe('isValidUserId', () => {
  const table: Array<[unknown, boolean]> = [
    ['@alice:example.org', true],
    ['@alice:example.org:8448', true],
    ['@alice:1.2.3.4', true],
    ['@alice:[1234:5678::abcd]:5678', true],
    ['@Alice!#:example.org', true], // historical localparts are accepted
    ['@:example.org', true], // even empty ones
    ['alice:example.org', false],
    ['@alice', false],
    ['@alice:', false],
    ['@alice:exa mple.org', false],
    ['@alice:example.org:port', false],
    ['@alice:example.org:123456', false],
    ['@al\u0000ice:example.org', false],
    ['@\ud800:example.org', false], // lone surrogate
    [`@${'a'.repeat(242)}:example.org`, true], // 255 bytes
    [`@${'a'.repeat(243)}:example.org`, false], // 256 bytes
    [42, false],
  ];
  for (const [id, valid] of table) {
    test(`${JSON.stringify(id)} is ${valid ? 'valid' : 'invalid'}`, () =>
      assert.equal(isValidUserId(id), valid));
  }
});

test('isValidServerName', () => {
  assert.equal(isValidServerName('matrix.org'), true);
  assert.equal(isValidServerName('[::1]'), true);
  assert.equal(isValidServerName('[::1'), false);
  assert.equal(isValidServerName(''), false);
});

test('serverNameOf splits at the first colon', () => {
  assert.equal(serverNameOf('@a:example.org:8448'), 'example.org:8448');
  assert.equal(serverNameOf('!room'), undefined);
  assert.equal(serverNameOf(5), undefined);
});

test('utf8ByteLength counts bytes, not code units', () => {
  assert.equal(utf8ByteLength('é'), 2);
  assert.equal(utf8ByteLength('😀'), 4);
});
