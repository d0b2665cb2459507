// Every endpoint under server/client-api/room-keys/ (server-side key backups), for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { createBackupVersion } from './create-backup-version.ts';
import { deleteBackupVersion } from './delete-backup-version.ts';
import { deleteRoomKeyBySession } from './delete-room-key-by-session.ts';
import { deleteRoomKeys } from './delete-room-keys.ts';
import { deleteRoomKeysByRoom } from './delete-room-keys-by-room.ts';
import { getBackupVersion } from './get-backup-version.ts';
import { getCurrentBackupVersion } from './get-current-backup-version.ts';
import { getRoomKeyBySession } from './get-room-key-by-session.ts';
import { getRoomKeys } from './get-room-keys.ts';
import { getRoomKeysByRoom } from './get-room-keys-by-room.ts';
import { putRoomKeyBySession } from './put-room-key-by-session.ts';
import { putRoomKeys } from './put-room-keys.ts';
import { putRoomKeysByRoom } from './put-room-keys-by-room.ts';
import { updateBackupVersion } from './update-backup-version.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const roomKeysEndpoints: Endpoint<Context, any, any, any>[] = [
  createBackupVersion,
  getCurrentBackupVersion,
  getBackupVersion,
  updateBackupVersion,
  deleteBackupVersion,
  putRoomKeys,
  putRoomKeysByRoom,
  putRoomKeyBySession,
  getRoomKeys,
  getRoomKeysByRoom,
  getRoomKeyBySession,
  deleteRoomKeys,
  deleteRoomKeysByRoom,
  deleteRoomKeyBySession,
];
