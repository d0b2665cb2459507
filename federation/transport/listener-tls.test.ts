// The federation listener's certificate: generated and kept in the data dir, or configured; and
// the federation app really serving TLS with either (and plain HTTP when told to).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { buildTestContext } from '../../conformance-tests/support/test-context.ts';
import { createTestCa } from '../../conformance-tests/support/test-tls.ts';
import { buildFederationApp } from '../../server/app.ts';
import { ConfigError } from '../../server/config/load-config.ts';
import { federationListenerTls, ListenerTlsError } from './listener-tls.ts';

const ca = createTestCa();

function logger() {
  const lines: string[] = [];
  return {
    lines,
    info: (_details: object, message: string) => lines.push(`info: ${message}`),
    warn: (_details: object, message: string) => lines.push(`warn: ${message}`),
  };
}

function config(overrides: Partial<Parameters<typeof federationListenerTls>[0]> = {}) {
  return {
    serverName: 'cairn.test',
    dataDir: mkdtempSync(join(tmpdir(), 'cairn-tls-')),
    federationPublicAddress: 'federation.cairn.test:8448',
    federationTls: true,
    federationTlsCertPath: undefined,
    federationTlsKeyPath: undefined,
    ...overrides,
  };
}

test('federation_tls false: no certificate, and a warning that federation is plain HTTP', () => {
  const log = logger();
  assert.equal(federationListenerTls(config({ federationTls: false }), log), undefined);
  assert.match(log.lines.join('\n'), /warn: federation_tls is false/);
});

test('unconfigured: a self-signed certificate for the server and delegated names, kept in the data dir', () => {
  const settings = config();
  const log = logger();
  const tls = federationListenerTls(settings, log)!;
  assert.equal(tls.certPath, join(settings.dataDir, 'federation-tls', 'cert.pem'));
  assert.equal(readFileSync(tls.certPath, 'utf8'), tls.certPem);
  const keyPath = join(settings.dataDir, 'federation-tls', 'key.pem');
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  const certificate = new X509Certificate(tls.certPem);
  assert.equal(certificate.checkHost('cairn.test'), 'cairn.test');
  assert.equal(certificate.checkHost('federation.cairn.test'), 'federation.cairn.test');
  assert.equal(certificate.checkHost('other.test'), undefined);
  assert.equal(certificate.issuer, certificate.subject);
  assert.match(log.lines.join('\n'), /generated a self-signed federation TLS certificate/);

  // The next start reuses it...
  assert.equal(federationListenerTls(settings, logger())!.certPem, tls.certPem);
  // ...unless it no longer names the server, or is about to expire.
  const renamed = federationListenerTls({ ...settings, serverName: '[::1]:8448' }, logger())!;
  assert.notEqual(renamed.certPem, tls.certPem);
  assert.equal(new X509Certificate(renamed.certPem).checkIP('::1'), '::1');
  const later = Date.parse(new X509Certificate(renamed.certPem).validTo) - 24 * 3600_000;
  const renewed = federationListenerTls(
    { ...settings, serverName: '[::1]:8448' },
    logger(),
    later,
  )!;
  assert.notEqual(renewed.certPem, renamed.certPem);
});

test('configured: the files are used as they are, and checked', () => {
  const leaf = ca.issue({ dns: ['cairn.test'] });
  const other = ca.issue({ dns: ['other.test'] });
  const settings = config({
    federationTlsCertPath: leaf.certPath,
    federationTlsKeyPath: leaf.keyPath,
  });
  const tls = federationListenerTls(settings, logger())!;
  assert.equal(tls.certPem, leaf.certPem);
  assert.equal(tls.keyPem, leaf.keyPem);

  const garbage = join(settings.dataDir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate');
  const cases: [string, string, RegExp][] = [
    [leaf.certPath, other.keyPath, /is not the key of the certificate/],
    [
      leaf.certPath,
      '/nonexistent/key.pem',
      /cannot read the federation TLS key \/nonexistent\/key\.pem/,
    ],
    ['/nonexistent/cert.pem', leaf.keyPath, /cannot read the federation TLS certificate/],
    [garbage, leaf.keyPath, /is not a PEM certificate/],
    [leaf.certPath, garbage, /is not a PEM private key/],
  ];
  for (const [certPath, keyPath, message] of cases) {
    assert.throws(
      () =>
        federationListenerTls(
          { ...settings, federationTlsCertPath: certPath, federationTlsKeyPath: keyPath },
          logger(),
        ),
      (err: Error) =>
        err instanceof ListenerTlsError && err instanceof ConfigError && message.test(err.message),
      `${certPath} ${keyPath}`,
    );
  }
});

// The app needs a Context, which needs a database; none of this touches it, so PGlite only.
test('the federation listener serves TLS with a generated or a configured certificate', (t) =>
  withTestDatabase(t, 'pglite', async (db, { dataDir }) => {
    const ctx = buildTestContext(db, { CAIRN_DATA_DIR: dataDir });
    const leaf = ca.issue({ dns: [ctx.config.serverName] });
    const generated = federationListenerTls({ ...ctx.config, federationTls: true }, logger())!;
    const configured = federationListenerTls(
      { ...ctx.config, federationTlsCertPath: leaf.certPath, federationTlsKeyPath: leaf.keyPath },
      logger(),
    )!;
    for (const [tls, trusted] of [
      [generated, generated.certPem],
      [configured, ca.certPem],
    ] as const) {
      const app = buildFederationApp(ctx, tls);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      // Verified as another server would: against what it trusts, for the server name.
      const agent = new Agent({ connect: { ca: trusted, servername: ctx.config.serverName } });
      const response = await request(`${url}/_matrix/federation/v1/version`, { dispatcher: agent });
      assert.equal(response.statusCode, 200);
      assert.equal(
        ((await response.body.json()) as { server: { name: string } }).server.name,
        'Cairn',
      );
      // And refused by a client that does not trust it.
      const stranger = new Agent({ connect: { servername: ctx.config.serverName } });
      await assert.rejects(
        request(`${url}/_matrix/federation/v1/version`, { dispatcher: stranger }),
        /certificate/i,
      );
      await Promise.all([agent.close(), stranger.close(), app.close()]);
    }
    const plain = buildFederationApp(ctx);
    assert.match(await plain.listen({ host: '127.0.0.1', port: 0 }), /^http:\/\//);
    await plain.close();
  }));
