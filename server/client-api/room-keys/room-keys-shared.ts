// What the key backup endpoints share: reading a version from the path or query, the spec's
// errors, and the shapes of the responses.
// https://spec.matrix.org/latest/client-server-api/#server-side-key-backups
import type { Context } from '../../context.ts';
import { MatrixError, notFound } from '../../http/matrix-error.ts';
import {
  type BackupKey,
  type BackupKeysScope,
  type BackupKeysState,
  type BackupVersionInfo,
  deleteBackupKeys,
  type SessionBackupKey,
  storeBackupKeys,
} from '../../storage/key-backup.ts';

export const unknownBackupVersion = () => notFound('Unknown backup version');

/**
 * Versions are handed out as "1", "2", ...: any other text (leading zeros, signs, too large to
 * store) names no version. undefined then, for a 404 rather than a database error.
 */
export function parseBackupVersion(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) return undefined;
  return Number(text);
}

/** The version a request names, or a 404. */
export function requireBackupVersion(text: string): number {
  const version = parseBackupVersion(text);
  if (version === undefined) throw unknownBackupVersion();
  return version;
}

/** GET /room_keys/version and GET /room_keys/version/{version}. */
export function backupVersionJson(info: BackupVersionInfo) {
  return {
    algorithm: info.algorithm,
    auth_data: info.authData,
    count: info.count,
    etag: info.etag,
    version: String(info.version),
  };
}

/** Every PUT under /room_keys/keys: into the current version only, else 403 naming it. */
export async function storeKeys(
  ctx: Context,
  userId: string,
  versionText: string,
  keys: SessionBackupKey[],
): Promise<BackupKeysState> {
  const outcome = await storeBackupKeys(ctx.db, userId, requireBackupVersion(versionText), keys);
  switch (outcome.kind) {
    case 'unknown-version':
      throw unknownBackupVersion();
    case 'wrong-version':
      throw new MatrixError(403, 'M_WRONG_ROOM_KEYS_VERSION', 'Wrong backup version', {
        current_version: String(outcome.currentVersion),
      });
    case 'stored':
      return { etag: outcome.etag, count: outcome.count };
  }
}

/** Every DELETE under /room_keys/keys. */
export async function deleteKeys(
  ctx: Context,
  userId: string,
  versionText: string,
  scope: BackupKeysScope,
): Promise<BackupKeysState> {
  const state = await deleteBackupKeys(ctx.db, userId, requireBackupVersion(versionText), scope);
  if (!state) throw unknownBackupVersion();
  return state;
}

/** Sessions by room as the API nests them: {roomId: {sessions: {sessionId: key}}}. */
export function keysByRoom(
  keys: readonly SessionBackupKey[],
): Record<string, { sessions: Record<string, BackupKey> }> {
  const rooms = new Map<string, [string, BackupKey][]>();
  for (const { roomId, sessionId, key } of keys) {
    const sessions = rooms.get(roomId);
    if (sessions) sessions.push([sessionId, key]);
    else rooms.set(roomId, [[sessionId, key]]);
  }
  // fromEntries, not assignment: an id such as `__proto__` stays an ordinary key.
  return Object.fromEntries(
    [...rooms].map(([roomId, sessions]) => [roomId, { sessions: Object.fromEntries(sessions) }]),
  );
}

/** The other way: one flat list of keys from a room's sessions. */
export function roomSessions(
  roomId: string,
  sessions: Record<string, BackupKey>,
): SessionBackupKey[] {
  return Object.entries(sessions).map(([sessionId, key]) => ({ roomId, sessionId, key }));
}
