// The registration shared secret: the configured one, else a random one kept in the data dir so
// local tools (`cairn register-user` against a running server) can read it. Never served.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load-config.ts';

export function sharedSecretPath(dataDir: string): string {
  return join(dataDir, 'registration_shared_secret');
}

export function loadOrCreateSharedSecret(config: Config): string {
  if (config.registrationSharedSecret) return config.registrationSharedSecret;
  const path = sharedSecretPath(config.dataDir);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (err) {
      // Another process created it first; read theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const secret = readFileSync(path, 'utf8').trim();
  // A blank secret would be a MAC key anyone knows: anyone could register admins.
  if (secret === '') throw new Error(`${path} is empty: delete it to have a new secret generated`);
  return secret;
}
