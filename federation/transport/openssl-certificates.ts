// X.509 certificates made with the `openssl` command: Node parses certificates (X509Certificate)
// but cannot issue them. Used for the federation listener's self-signed development certificate,
// and by tests for a test CA and the certificates it signs. One small module, so that replacing
// the CLI with a library later touches nothing else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemPair {
  readonly certPem: string;
  /** PKCS#8. */
  readonly keyPem: string;
}

export interface CertificateRequest {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly days: number;
  /** Signed by this CA; absent: self-signed. */
  readonly issuer?: PemPair;
  /** A CA certificate (may sign others) instead of a server certificate. */
  readonly isCa?: boolean;
}

export class OpensslError extends Error {
  override name = 'OpensslError';
}

// Only characters of host names and IP addresses (and spaces in a common name) reach the config
// file: nothing can start a new line or another field.
const SAFE_NAME = /^[A-Za-z0-9.:*-]+$/;
const SAFE_COMMON_NAME = /^[A-Za-z0-9 .:*_-]+$/;

export function generateCertificate(request: CertificateRequest): PemPair {
  if (!SAFE_COMMON_NAME.test(request.commonName)) {
    throw new OpensslError(`unusable common name: ${request.commonName}`);
  }
  for (const name of [...(request.dnsNames ?? []), ...(request.ipAddresses ?? [])]) {
    if (!SAFE_NAME.test(name)) throw new OpensslError(`not a host name or IP address: ${name}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cairn-openssl-'));
  try {
    const path = (file: string) => join(dir, file);
    writeFileSync(path('openssl.cnf'), opensslConfig(request));
    const args = [
      'req',
      '-x509',
      '-config',
      path('openssl.cnf'),
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path('key.pem'),
      '-out',
      path('cert.pem'),
      '-days',
      String(request.days),
    ];
    if (request.issuer) {
      writeFileSync(path('ca.pem'), request.issuer.certPem);
      writeFileSync(path('ca.key'), request.issuer.keyPem, { mode: 0o600 });
      args.push('-CA', path('ca.pem'), '-CAkey', path('ca.key'));
    }
    runOpenssl(args);
    return {
      certPem: readFileSync(path('cert.pem'), 'utf8'),
      keyPem: readFileSync(path('key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Our own config rather than the system's openssl.cnf, whose defaults (a CA:TRUE extension on
// every `req -x509`, say) differ between distributions.
function opensslConfig(request: CertificateRequest): string {
  const altNames = [
    ...(request.dnsNames ?? []).map((name) => `DNS:${name}`),
    ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  const extensions = request.isCa
    ? ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign']
    : [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth, clientAuth',
      ];
  if (altNames.length > 0) extensions.push(`subjectAltName = ${altNames.join(', ')}`);
  extensions.push('subjectKeyIdentifier = hash');
  if (request.issuer) extensions.push('authorityKeyIdentifier = keyid:always');
  return [
    '[req]',
    'prompt = no',
    'distinguished_name = dn',
    'x509_extensions = ext',
    '[dn]',
    `CN = ${request.commonName}`,
    '[ext]',
    ...extensions,
    '',
  ].join('\n');
}

function runOpenssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OpensslError(
      missing
        ? 'the `openssl` command is not installed: install it (Debian: apt-get install openssl) or set federation_tls_cert_path and federation_tls_key_path'
        : `openssl failed to run: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new OpensslError(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
  }
}
