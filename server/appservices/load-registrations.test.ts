// Registration files (no database): what a valid one becomes, which bad ones stop the start and
// how the message names the file, duplicate ids and as_tokens, namespace matching, token lookup.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { startServer } from '../start.ts';
import { createAppServices, isAppServiceUser } from './app-services.ts';
import { loadAppServiceRegistrations } from './load-registrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-as-reg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const VALID = `
id: irc
url: null
as_token: as-secret-irc
hs_token: hs-secret-irc
sender_localpart: _irc_bot
namespaces:
  users:
    - exclusive: true
      regex: "@_irc_.*:example\\\\.org"
  aliases:
    - exclusive: false
      regex: "#_irc_.*"
de.sorunome.msc2409.push_ephemeral: true
`;

let fileCount = 0;
function file(text: string): string {
  const path = join(dir, `reg-${fileCount++}.yaml`);
  writeFileSync(path, text);
  return path;
}

function refused(paths: string[], pattern: RegExp): void {
  assert.throws(
    () => loadAppServiceRegistrations(paths, 'example.org'),
    (err: unknown) => err instanceof ConfigError && pattern.test(err.message),
  );
}

test('a valid registration: defaults, sender id, compiled namespaces, unknown keys allowed', () => {
  const [reg] = loadAppServiceRegistrations([file(VALID)], 'example.org');
  assert.ok(reg);
  assert.equal(reg.id, 'irc');
  assert.equal(reg.url, null);
  assert.equal(reg.senderUserId, '@_irc_bot:example.org');
  assert.equal(reg.rateLimited, true);
  assert.deepEqual(reg.protocols, []);
  assert.deepEqual(reg.namespaces.rooms, []);
  assert.equal(reg.namespaces.users[0]?.exclusive, true);
  assert.equal(isAppServiceUser(reg, '@_irc_alice:example.org'), true);
  assert.equal(isAppServiceUser(reg, '@_irc_bot:example.org'), true);
  // Anchored at the start, not required to reach the end (Synapse's reading).
  assert.equal(isAppServiceUser(reg, '@alice_irc_:example.org'), false);
  assert.equal(isAppServiceUser(reg, '@_irc_alice:example.org.evil'), true);
  assert.equal(isAppServiceUser(reg, '@_irc_alice:other.org'), false);

  const [limited] = loadAppServiceRegistrations(
    [file(`${VALID.replace('url: null', 'url: "http://127.0.0.1:9000"')}rate_limited: false\n`)],
    'example.org',
  );
  assert.equal(limited?.url, 'http://127.0.0.1:9000');
  assert.equal(limited?.rateLimited, false);
});

test('bad registration files are refused with a message naming the file', () => {
  const missing = join(dir, 'nowhere.yaml');
  refused([missing], new RegExp(`${missing}.*ENOENT`));
  const notYaml = file('id: [unclosed');
  refused([notYaml], new RegExp(notYaml));
  const noToken = file(VALID.replace('as_token: as-secret-irc\n', ''));
  refused([noToken], new RegExp(`${noToken}: registration must have required property 'as_token'`));
  const numberUrl = file(VALID.replace('url: null', 'url: 5'));
  refused([numberUrl], new RegExp(`${numberUrl}: url must be string,null`));
  const badExclusive = file(VALID.replace('exclusive: true', 'exclusive: "yes"'));
  refused([badExclusive], /namespaces\/users\/0\/exclusive must be boolean/);
  const badRegex = file(VALID.replace('"#_irc_.*"', '"#_irc_(.*"'));
  refused([badRegex], new RegExp(`${badRegex}: namespaces/aliases/0/regex: Invalid regular`));
  // Balanced alone, so an alternative cannot slip out of the start anchor.
  const unbalanced = file(VALID.replace('"#_irc_.*"', '"a)|(b"'));
  refused([unbalanced], /namespaces\/aliases\/0\/regex/);
  const badSender = file(VALID.replace('_irc_bot', 'Irc Bot'));
  refused([badSender], new RegExp(`${badSender}: sender_localpart: User name may only`));
  const badRateLimited = file(`${VALID}rate_limited: maybe\n`);
  refused([badRateLimited], /rate_limited must be boolean/);
  const list = file('- id: irc\n');
  refused([list], /registration must be object/);
});

test('two registrations may not share an id or an as_token', () => {
  const first = file(VALID);
  const sameId = file(VALID.replace('as-secret-irc', 'as-secret-other'));
  refused([first, sameId], new RegExp(`${sameId}: its id "irc" is already used by ${first}`));
  const sameToken = file(VALID.replace('id: irc', 'id: other'));
  refused([first, sameToken], new RegExp(`${sameToken}: its as_token is already used by ${first}`));
});

test('tokens find their registration; anything else finds none', () => {
  const registrations = loadAppServiceRegistrations(
    [
      file(VALID),
      file(VALID.replace('id: irc', 'id: two').replace('as-secret-irc', 'as-secret-two')),
    ],
    'example.org',
  );
  const services = createAppServices(registrations);
  assert.equal(services.byToken('as-secret-irc')?.id, 'irc');
  assert.equal(services.byToken('as-secret-two')?.id, 'two');
  assert.equal(services.byToken('as-secret-ir'), undefined);
  assert.equal(services.byToken('hs-secret-irc'), undefined);
  assert.equal(services.byToken(''), undefined);
  assert.deepEqual(
    services.exclusiveClaimants('@_irc_x:example.org').map((r) => r.id),
    ['irc', 'two'],
  );
  assert.deepEqual(services.exclusiveClaimants('@alice:example.org'), []);
});

test('cairn start refuses a bad registration file before opening anything', async () => {
  const dataDir = join(dir, 'data');
  const bad = file(VALID.replace('hs_token: hs-secret-irc\n', ''));
  const config = loadConfig({
    env: {
      CAIRN_DATA_DIR: dataDir,
      CAIRN_LOG_LEVEL: 'silent',
      CAIRN_FEDERATION_TLS: 'false',
      CAIRN_CLIENT_PORT: '0',
      CAIRN_FEDERATION_PORT: '0',
      CAIRN_APP_SERVICE_CONFIG_FILES: `${file(VALID)}, ${bad}`,
    },
  });
  assert.equal(config.appServiceConfigFiles.length, 2);
  await assert.rejects(
    startServer(config),
    (err: unknown) => err instanceof ConfigError && err.message.includes(bad),
  );
});
