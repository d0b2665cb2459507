// federation_trusted_key_servers: none by default, a YAML list, or a comma-separated variable.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './load-config.ts';

test('trusted key servers: none by default', () => {
  assert.deepEqual(loadConfig({ env: {} }).federationTrustedKeyServers, []);
});

test('trusted key servers: from a YAML list or a comma-separated variable', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cairn-config-')), 'cairn.yaml');
  writeFileSync(path, 'federation_trusted_key_servers:\n  - matrix.org\n  - "[::1]:8448"\n');
  assert.deepEqual(loadConfig({ configPath: path, env: {} }).federationTrustedKeyServers, [
    'matrix.org',
    '[::1]:8448',
  ]);
  const env = { CAIRN_FEDERATION_TRUSTED_KEY_SERVERS: ' a.example, b.example:8448 ,' };
  assert.deepEqual(loadConfig({ configPath: path, env }).federationTrustedKeyServers, [
    'a.example',
    'b.example:8448',
  ]);
});

test('trusted key servers: a name that is not a server name is a config error', () => {
  const env = { CAIRN_FEDERATION_TRUSTED_KEY_SERVERS: 'good.example,bad/name' };
  assert.throws(() => loadConfig({ env }), ConfigError);
});
