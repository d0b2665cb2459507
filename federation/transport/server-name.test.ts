import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAuthority, InvalidServerNameError, parseServerName } from './server-name.ts';

test('server names split into hostname, port and kind', () => {
  const cases: [string, string, number | undefined, 0 | 4 | 6][] = [
    ['example.org', 'example.org', undefined, 0],
    ['Example.ORG:8449', 'example.org', 8449, 0],
    ['matrix.example.org:443', 'matrix.example.org', 443, 0],
    ['localhost', 'localhost', undefined, 0],
    ['1.2.3.4', '1.2.3.4', undefined, 4],
    ['1.2.3.4:1234', '1.2.3.4', 1234, 4],
    ['[1234:5678::abcd]', '1234:5678::abcd', undefined, 6],
    ['[::1]:8448', '::1', 8448, 6],
    ['[::ffff:127.0.0.1]:1', '::ffff:127.0.0.1', 1, 6],
    ['hs1', 'hs1', undefined, 0],
  ];
  for (const [name, hostname, port, ipVersion] of cases) {
    assert.deepEqual(parseServerName(name), { hostname, port, ipVersion }, name);
  }
});

test('names outside the grammar are refused', () => {
  for (const bad of [
    '',
    'example.org:',
    'example.org:0',
    'example.org:65536',
    'example.org:123456',
    'exa mple.org',
    'under_score.org',
    '[::1',
    '[not:an:ip::zz]',
    '[1.2.3.4]',
    '999.1.1.1',
    '.example.org',
    'a..b',
    'example.org/path',
    'user@example.org',
  ]) {
    assert.throws(() => parseServerName(bad), InvalidServerNameError, JSON.stringify(bad));
  }
});

test('authorities bracket IPv6 literals', () => {
  assert.equal(formatAuthority('example.org'), 'example.org');
  assert.equal(formatAuthority('example.org', 8448), 'example.org:8448');
  assert.equal(formatAuthority('1.2.3.4', 1), '1.2.3.4:1');
  assert.equal(formatAuthority('::1', 8448), '[::1]:8448');
  assert.equal(formatAuthority('2001:db8::1'), '[2001:db8::1]');
});
