// `cairn register-user`: straight into the database when this process may open it (PostgreSQL,
// or a PGlite directory no server holds); otherwise through the running server's shared-secret
// registration, since an embedded database belongs to the one process that opened it.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/load-config.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { readRunningFile } from '../running-file.ts';
import { readLivePglitePid } from '../storage/data-dir-lock.ts';
import { openDatabase } from '../storage/database.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { registerLocalUser } from './register-local-user.ts';
import { loadOrCreateSharedSecret } from './shared-secret-file.ts';
import { sharedSecretMac } from './shared-secret-mac.ts';

export interface CliRegistration {
  localpart: string;
  password: string | undefined;
  admin: boolean;
}

export interface CliResult {
  ok: boolean;
  message: string;
}

export async function registerUserFromCli(
  config: Config,
  input: CliRegistration,
): Promise<CliResult> {
  const password = input.password ?? randomBytes(12).toString('base64url');
  const embeddedInUse = !config.databaseUrl && readLivePglitePid(config.dataDir) !== undefined;
  try {
    const userId = embeddedInUse
      ? await registerThroughServer(config, clientUrlOfRunningServer(config), input, password)
      : await registerDirectly(config, input, password);
    const shown = input.password === undefined ? ` with password ${password}` : '';
    return { ok: true, message: `created ${input.admin ? 'admin ' : ''}user ${userId}${shown}` };
  } catch (err) {
    if (err instanceof MatrixError) return { ok: false, message: `${err.errcode}: ${err.message}` };
    throw err;
  }
}

async function registerDirectly(config: Config, input: CliRegistration, password: string) {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const user = await registerLocalUser(
      { db: database.db, serverName: config.serverName, now: Date.now },
      { localpart: input.localpart, password, admin: input.admin },
    );
    return user.userId;
  } finally {
    await database.close();
  }
}

async function registerThroughServer(
  config: Config,
  clientUrl: string,
  input: CliRegistration,
  password: string,
) {
  const url = new URL('/_synapse/admin/v1/register', clientUrl).href;
  const nonceResponse = await fetch(url);
  const { nonce } = (await readJson(nonceResponse)) as { nonce: string };
  const secret = loadOrCreateSharedSecret(config);
  const registration = { nonce, username: input.localpart, password, admin: input.admin };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...registration, mac: sharedSecretMac(secret, registration) }),
  });
  return ((await readJson(response)) as { user_id: string }).user_id;
}

async function readJson(response: Response): Promise<unknown> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new MatrixError(
      response.status,
      String(body.errcode ?? 'M_UNKNOWN'),
      String(body.error ?? `server answered ${response.status}`),
    );
  }
  return body;
}

/** Where the server holding the embedded database listens, from its running file. */
function clientUrlOfRunningServer(config: Config): string {
  const running = readRunningFile(config.dataDir);
  if (!running) {
    throw new MatrixError(
      503,
      'M_UNKNOWN',
      `a server holds ${config.dataDir} but has not said where it listens yet; try again once it has started`,
    );
  }
  return running.clientUrl;
}
