import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_KEYS } from './config-keys.ts';
import { generateConfigYaml } from './generate-config.ts';
import { ConfigError, loadConfig } from './load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
function file(text: string): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

test('defaults apply with no file and no environment', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.serverName, 'localhost');
  assert.equal(config.bindAddress, '127.0.0.1');
  assert.equal(config.clientPort, 8008);
  assert.equal(config.federationPort, 8448);
  assert.equal(config.enableRegistration, false);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.publicBaseurl, 'http://localhost:8008/');
  assert.equal(config.federationPublicAddress, 'localhost:8448');
  assert.ok(config.signingKeyPath.endsWith('/data/signing.key'));
});

test('environment variables override the YAML file', () => {
  const path = file('server_name: example.org\nclient_port: 9000\nenable_registration: true\n');
  const config = loadConfig({
    configPath: path,
    env: { CAIRN_CLIENT_PORT: '9100', CAIRN_ENABLE_REGISTRATION: 'false' },
  });
  assert.equal(config.serverName, 'example.org');
  assert.equal(config.clientPort, 9100);
  assert.equal(config.enableRegistration, false);
});

test('CAIRN_CONFIG names the file when --config is not given', () => {
  const path = file('server_name: from-env-file.org\n');
  assert.equal(loadConfig({ env: { CAIRN_CONFIG: path } }).serverName, 'from-env-file.org');
});

test('a bad value names the key and where it came from', () => {
  assert.throws(
    () => loadConfig({ env: { CAIRN_CLIENT_PORT: 'eighty' } }),
    (err: Error) =>
      err instanceof ConfigError &&
      err.message.includes('"client_port"') &&
      err.message.includes('CAIRN_CLIENT_PORT'),
  );
  const path = file('federation_port: 70000\n');
  assert.throws(
    () => loadConfig({ configPath: path, env: {} }),
    (err: Error) => err.message.includes('"federation_port"') && err.message.includes(path),
  );
});

test('an unknown key in the file is refused by name', () => {
  const path = file('sever_name: typo.org\n');
  assert.throws(
    () => loadConfig({ configPath: path, env: {} }),
    (err: Error) => err instanceof ConfigError && err.message.includes('"sever_name"'),
  );
});

test('a file that is not a mapping, or not YAML, is a ConfigError', () => {
  assert.throws(() => loadConfig({ configPath: file('- a\n- b\n'), env: {} }), ConfigError);
  assert.throws(() => loadConfig({ configPath: file('a: [\n'), env: {} }), ConfigError);
  assert.throws(() => loadConfig({ configPath: join(dir, 'missing.yaml'), env: {} }), ConfigError);
});

test('generate-config lists every key and loads back to the defaults', () => {
  const text = generateConfigYaml();
  for (const k of CONFIG_KEYS) assert.ok(text.includes(k.key), `missing ${k.key}`);
  assert.deepEqual(loadConfig({ configPath: file(text), env: {} }), loadConfig({ env: {} }));
  const parsed = parse(text) as Record<string, unknown>;
  assert.equal(parsed.client_port, 8008);
  assert.equal('database_url' in parsed, false, 'keys without a default stay commented out');
});

test('rate limits: Synapse-like defaults, fractional rates from the environment, 0 turns off', () => {
  const defaults = loadConfig({ env: {} }).rateLimits;
  assert.deepEqual(defaults.messages, { perSecond: 0.2, burst: 10 });
  assert.deepEqual(defaults.login, { perSecond: 0.17, burst: 3 });
  assert.deepEqual(defaults.failedLogin, { perSecond: 0.17, burst: 3 });
  assert.deepEqual(defaults.registration, { perSecond: 0.17, burst: 3 });
  const set = loadConfig({
    env: {
      CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND: '2.5',
      CAIRN_RATE_LIMIT_MESSAGES_BURST: '40',
      CAIRN_RATE_LIMIT_LOGIN_PER_SECOND: '0',
      CAIRN_RATE_LIMIT_JOINS_PER_SECOND: '.5',
    },
  }).rateLimits;
  assert.deepEqual(set.messages, { perSecond: 2.5, burst: 40 });
  assert.deepEqual(set.login, { perSecond: 0, burst: 3 });
  assert.equal(set.joins.perSecond, 0.5);
  const path = file('rate_limit_invites_per_second: 0.05\nrate_limit_invites_burst: 2\n');
  assert.deepEqual(loadConfig({ configPath: path, env: {} }).rateLimits.invites, {
    perSecond: 0.05,
    burst: 2,
  });
  for (const [key, value] of [
    ['CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND', '-1'],
    ['CAIRN_RATE_LIMIT_MESSAGES_PER_SECOND', 'fast'],
    ['CAIRN_RATE_LIMIT_MESSAGES_BURST', '0'],
    ['CAIRN_RATE_LIMIT_MESSAGES_BURST', '1.5'],
  ] as const) {
    assert.throws(
      () => loadConfig({ env: { [key]: value } }),
      (err: Error) => err instanceof ConfigError && err.message.includes(key),
      `${key}=${value}`,
    );
  }
});

test('registration_shared_secret: any non-blank string, as in Synapse; blank is refused', () => {
  const short = loadConfig({ env: { CAIRN_REGISTRATION_SHARED_SECRET: 'complement' } });
  assert.equal(short.registrationSharedSecret, 'complement');
  const fromFile = loadConfig({ configPath: file('registration_shared_secret: "x"\n'), env: {} });
  assert.equal(fromFile.registrationSharedSecret, 'x');
  for (const blank of ['""', '"   "', '"\\t"']) {
    assert.throws(
      () => loadConfig({ configPath: file(`registration_shared_secret: ${blank}\n`), env: {} }),
      (err: Error) =>
        err instanceof ConfigError && err.message.includes('"registration_shared_secret"'),
      blank,
    );
  }
});

test('federation TLS and outbound settings: safe defaults, paths resolved, cert and key together', () => {
  const defaults = loadConfig({ env: {} });
  assert.equal(defaults.federationTls, true);
  assert.equal(defaults.federationTlsCertPath, undefined);
  assert.equal(defaults.federationVerifyTls, true);
  assert.equal(defaults.federationAllowPrivateNetworks, false);
  assert.equal(defaults.federationCaFile, undefined);
  const set = loadConfig({
    env: {
      CAIRN_FEDERATION_TLS_CERT_PATH: 'tls/cert.pem',
      CAIRN_FEDERATION_TLS_KEY_PATH: '/etc/cairn/key.pem',
      CAIRN_FEDERATION_CA_FILE: 'ca.pem',
      CAIRN_FEDERATION_VERIFY_TLS: 'false',
      CAIRN_FEDERATION_ALLOW_PRIVATE_NETWORKS: 'true',
      CAIRN_FEDERATION_TLS: 'false',
    },
  });
  assert.equal(set.federationTlsCertPath, join(process.cwd(), 'tls/cert.pem'));
  assert.equal(set.federationTlsKeyPath, '/etc/cairn/key.pem');
  assert.equal(set.federationCaFile, join(process.cwd(), 'ca.pem'));
  assert.equal(set.federationVerifyTls, false);
  assert.equal(set.federationAllowPrivateNetworks, true);
  assert.equal(set.federationTls, false);
  for (const env of [
    { CAIRN_FEDERATION_TLS_CERT_PATH: '/c.pem' },
    { CAIRN_FEDERATION_TLS_KEY_PATH: '/k.pem' },
  ]) {
    assert.throws(
      () => loadConfig({ env }),
      (err: Error) => err instanceof ConfigError && /must be set together/.test(err.message),
    );
  }
  assert.throws(
    () => loadConfig({ env: { CAIRN_FEDERATION_VERIFY_TLS: 'maybe' } }),
    (err: Error) => err.message.includes('"federation_verify_tls"'),
  );
});
