// Where the registration shared secret comes from: config first, else a file in the data dir.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/load-config.ts';
import { loadOrCreateSharedSecret, sharedSecretPath } from './shared-secret-file.ts';

const configIn = (dataDir: string, secret?: string) =>
  loadConfig({
    env: {
      CAIRN_DATA_DIR: dataDir,
      ...(secret === undefined ? {} : { CAIRN_REGISTRATION_SHARED_SECRET: secret }),
    },
  });

test('the configured secret wins; a short one is fine (Complement uses `complement`)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-secret-'));
  assert.equal(loadOrCreateSharedSecret(configIn(dataDir, 'complement')), 'complement');
});

test('unset: generated once into the data dir, owner-only, then read back', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-secret-'));
  const first = loadOrCreateSharedSecret(configIn(dataDir));
  assert.ok(first.length >= 32);
  assert.equal(loadOrCreateSharedSecret(configIn(dataDir)), first);
  assert.equal(readFileSync(sharedSecretPath(dataDir), 'utf8').trim(), first);
  assert.equal(statSync(sharedSecretPath(dataDir)).mode & 0o077, 0);
  // A deployer may write its own, short secret there.
  writeFileSync(sharedSecretPath(dataDir), 'complement\n');
  assert.equal(loadOrCreateSharedSecret(configIn(dataDir)), 'complement');
});

test('a blank secret file is refused rather than used as a MAC key anyone knows', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-secret-'));
  writeFileSync(sharedSecretPath(dataDir), ' \n');
  assert.throws(() => loadOrCreateSharedSecret(configIn(dataDir)), /is empty/);
});
