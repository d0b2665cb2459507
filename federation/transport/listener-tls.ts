// The federation listener's certificate: the configured one (federation_tls_cert_path and
// federation_tls_key_path), or else a self-signed one for the server name, generated into
// <data_dir>/federation-tls/ on first start and again when it nears expiry or no longer names the
// server. Other servers verify certificates, so the self-signed one is for development and tests.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { type Config, ConfigError } from '../../server/config/load-config.ts';
import { generateCertificate, OpensslError } from './openssl-certificates.ts';
import { parseServerName } from './server-name.ts';

export interface ListenerTls {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
}

/** A ConfigError: the certificate files are the user's to fix, and `cairn` says so in one line. */
export class ListenerTlsError extends ConfigError {
  override name = 'ListenerTlsError';
}

interface TlsLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

type TlsConfig = Pick<
  Config,
  | 'serverName'
  | 'dataDir'
  | 'federationPublicAddress'
  | 'federationTls'
  | 'federationTlsCertPath'
  | 'federationTlsKeyPath'
>;

const SELF_SIGNED_DAYS = 365;
/** A generated certificate this close to expiry is replaced at start. */
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

/** undefined when federation_tls is false (plain HTTP behind a TLS-terminating proxy, or tests). */
export function federationListenerTls(
  config: TlsConfig,
  logger: TlsLogger,
  now: number = Date.now(),
): ListenerTls | undefined {
  if (!config.federationTls) {
    logger.warn({}, 'federation_tls is false: the federation listener serves plain HTTP');
    return undefined;
  }
  if (config.federationTlsCertPath && config.federationTlsKeyPath) {
    const tls = loadPair(config.federationTlsCertPath, config.federationTlsKeyPath);
    const certificate = new X509Certificate(tls.certPem);
    if (Date.parse(certificate.validTo) < now) {
      logger.warn(
        { path: tls.certPath, validTo: certificate.validTo },
        'federation TLS certificate has expired',
      );
    }
    return tls;
  }
  return loadOrCreateSelfSigned(config, logger, now);
}

/** Host names the certificate must be valid for: the server name's, and the delegated one. */
export function certificateHostnames(
  config: Pick<TlsConfig, 'serverName' | 'federationPublicAddress'>,
): string[] {
  const names = [parseServerName(config.serverName).hostname];
  try {
    names.push(parseServerName(config.federationPublicAddress).hostname);
  } catch {
    // An address that is no server name (a bare IPv6 without brackets, say) adds nothing.
  }
  return [...new Set(names)];
}

function loadPair(certPath: string, keyPath: string): ListenerTls {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ListenerTlsError(
        `cannot read the federation TLS ${what} ${path}: ${(err as Error).message}`,
      );
    }
  };
  const certPem = read(certPath, 'certificate');
  const keyPem = read(keyPath, 'key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (err) {
    throw new ListenerTlsError(`${certPath} is not a PEM certificate: ${(err as Error).message}`);
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    throw new ListenerTlsError(`${keyPath} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!matches)
    throw new ListenerTlsError(`${keyPath} is not the key of the certificate ${certPath}`);
  return { certPem, keyPem, certPath };
}

function loadOrCreateSelfSigned(config: TlsConfig, logger: TlsLogger, now: number): ListenerTls {
  const dir = join(config.dataDir, 'federation-tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const hostnames = certificateHostnames(config);
  if (existsSync(certPath)) {
    const existing = loadPair(certPath, keyPath);
    if (stillGood(existing.certPem, hostnames, now)) return existing;
  }
  const pair = selfSigned(hostnames);
  // Written beside the old directory and renamed into place, so a crash never leaves a
  // certificate without its key.
  mkdirSync(config.dataDir, { recursive: true });
  const fresh = `${dir}.${process.pid}.tmp`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { mode: 0o700 });
  writeFileSync(join(fresh, 'cert.pem'), pair.certPem);
  writeFileSync(join(fresh, 'key.pem'), pair.keyPem, { mode: 0o600 });
  rmSync(dir, { recursive: true, force: true });
  renameSync(fresh, dir);
  logger.info(
    { path: certPath, hostnames },
    'generated a self-signed federation TLS certificate (other servers will not trust it: set federation_tls_cert_path for real federation)',
  );
  return { certPem: pair.certPem, keyPem: pair.keyPem, certPath };
}

function selfSigned(hostnames: string[]) {
  try {
    return generateCertificate({
      commonName: hostnames[0]!,
      dnsNames: hostnames.filter((name) => isIP(name) === 0),
      ipAddresses: hostnames.filter((name) => isIP(name) !== 0),
      days: SELF_SIGNED_DAYS,
    });
  } catch (err) {
    if (!(err instanceof OpensslError)) throw err;
    throw new ListenerTlsError(
      `cannot generate a self-signed federation certificate: ${err.message}`,
    );
  }
}

function stillGood(certPem: string, hostnames: string[], now: number): boolean {
  const certificate = new X509Certificate(certPem);
  if (Date.parse(certificate.validTo) - now < RENEW_BEFORE_MS) return false;
  return hostnames.every((name) =>
    isIP(name) === 0
      ? certificate.checkHost(name) !== undefined
      : certificate.checkIP(name) !== undefined,
  );
}
