import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAcceptableAliasLocalpart, parseRoomAlias } from './room-alias.ts';

test('room alias grammar', () => {
  const cases: [unknown, string | undefined][] = [
    ['#room:example.org', 'example.org'],
    ['#room:example.org:8448', 'example.org:8448'],
    ['#róom🙂:[::1]:8448', '[::1]:8448'],
    ['#:example.org', 'example.org'],
    ['room:example.org', undefined],
    ['#room', undefined],
    ['#room:', undefined],
    ['#room:bad_host', undefined],
    ['#ro\u0000om:example.org', undefined],
    [`#${'a'.repeat(250)}:example.org`, undefined],
    ['#\ud800:example.org', undefined],
    [42, undefined],
  ];
  for (const [alias, server] of cases) {
    assert.equal(parseRoomAlias(alias)?.serverName, server, String(alias));
  }
});

test('localparts a client may choose', () => {
  for (const ok of ['lobby', 'café', 'a.b-c_d=e/f']) assert.ok(isAcceptableAliasLocalpart(ok), ok);
  for (const bad of ['', 'a b', 'a:b', 'tab\t', 'nl\n', '\u0000', '\u007f']) {
    assert.ok(!isAcceptableAliasLocalpart(bad), JSON.stringify(bad));
  }
});
