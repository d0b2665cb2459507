// The server's signing key lives in a file (Synapse's format), generated on first start and reused
// afterwards so the key id other servers cached stays valid across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerSigningKey } from '../context.ts';
import { encodeBase64 } from '../core/base64.ts';
import { generateSeed, privateKeyFromSeed, publicKeyOf } from '../core/signing.ts';
import {
  ED25519,
  keyIdOf,
  parseSigningKeyFile,
  type SigningKeySeed,
  serializeSigningKeyFile,
} from '../core/signing-key.ts';

interface KeyLogger {
  info(details: object, message: string): void;
}

export function loadOrCreateSigningKey(path: string, logger?: KeyLogger): ServerSigningKey {
  if (!existsSync(path)) createKeyFile(path, logger);
  const [key] = parseSigningKeyFile(readFileSync(path, 'utf8'));
  if (!key) throw new Error(`signing key file ${path} holds no key`);
  return toServerSigningKey(key);
}

export function toServerSigningKey(key: SigningKeySeed): ServerSigningKey {
  const privateKey = privateKeyFromSeed(key.seed);
  return {
    keyId: keyIdOf(key),
    privateKey,
    publicKeyBase64: encodeBase64(publicKeyOf(privateKey)),
  };
}

function createKeyFile(path: string, logger?: KeyLogger): void {
  const key: SigningKeySeed = {
    algorithm: ED25519,
    // Synapse's shape (`a_` + 4 characters) keeps ids short and recognisable in logs.
    version: `a_${randomBytes(6)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 4)}`,
    seed: generateSeed((size) => randomBytes(size)),
  };
  mkdirSync(dirname(path), { recursive: true });
  // Written aside then hard-linked into place: two processes starting at once cannot both win,
  // and the loser reads the winner's key.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, serializeSigningKeyFile([key]), { mode: 0o600 });
  try {
    linkSync(temporary, path);
    logger?.info({ path, keyId: keyIdOf(key) }, 'generated a new server signing key');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(temporary, { force: true });
  }
}
