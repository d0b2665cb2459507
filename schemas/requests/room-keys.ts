// Bodies, path parameters and query strings of the server-side key backup endpoints.
// https://spec.matrix.org/latest/client-server-api/#server-side-key-backups
import type { JsonObject } from '../../server/core/pdu.ts';

// Text stored in a text column: PostgreSQL refuses a NUL character there, so it is refused here.
const NO_NUL = '^[^\\u0000]*$';

// Any algorithm name is stored: the server never interprets the backup, and clients try new
// algorithms (MSCs) under their own names before the spec lists them.
const algorithm = { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL } as const;
const authData = { type: 'object' } as const;

/** POST /_matrix/client/v3/room_keys/version */
export const createBackupVersionBody = {
  type: 'object',
  required: ['algorithm', 'auth_data'],
  properties: { algorithm, auth_data: authData },
} as const;

export interface CreateBackupVersionBody {
  algorithm: string;
  auth_data: JsonObject;
}

/** PUT /_matrix/client/v3/room_keys/version/{version} */
export const updateBackupVersionBody = {
  type: 'object',
  required: ['algorithm', 'auth_data'],
  properties: { algorithm, auth_data: authData, version: { type: 'string' } },
} as const;

export interface UpdateBackupVersionBody {
  algorithm: string;
  auth_data: JsonObject;
  version?: string;
}

/** KeyBackupData: one session's key and what decides whether it replaces a stored one. */
export const keyBackupData = {
  type: 'object',
  required: ['first_message_index', 'forwarded_count', 'is_verified', 'session_data'],
  properties: {
    first_message_index: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    forwarded_count: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    is_verified: { type: 'boolean' },
    session_data: { type: 'object' },
  },
} as const;

export interface KeyBackupData {
  first_message_index: number;
  forwarded_count: number;
  is_verified: boolean;
  session_data: JsonObject;
}

const sessionId = { minLength: 1, maxLength: 255, pattern: NO_NUL } as const;
const roomId = { pattern: '^![^\\u0000]*$', maxLength: 255 } as const;

/** PUT /_matrix/client/v3/room_keys/keys/{roomId}: RoomKeyBackup. */
export const roomKeyBackup = {
  type: 'object',
  required: ['sessions'],
  properties: {
    sessions: { type: 'object', propertyNames: sessionId, additionalProperties: keyBackupData },
  },
} as const;

export interface RoomKeyBackup {
  sessions: Record<string, KeyBackupData>;
}

/** PUT /_matrix/client/v3/room_keys/keys */
export const roomKeysBody = {
  type: 'object',
  required: ['rooms'],
  properties: {
    rooms: { type: 'object', propertyNames: roomId, additionalProperties: roomKeyBackup },
  },
} as const;

export interface RoomKeysBody {
  rooms: Record<string, RoomKeyBackup>;
}

/** The `version` query parameter every /room_keys/keys endpoint requires. */
export const backupVersionQuery = {
  type: 'object',
  required: ['version'],
  properties: { version: { type: 'string' } },
} as const;

export interface BackupVersionQuery {
  version: string;
}

export const backupVersionParams = {
  type: 'object',
  required: ['version'],
  properties: { version: { type: 'string' } },
} as const;

export interface BackupVersionParams {
  version: string;
}

export const roomIdParams = {
  type: 'object',
  required: ['roomId'],
  properties: { roomId: { type: 'string', ...roomId } },
} as const;

export interface RoomIdParams {
  roomId: string;
}

export const sessionParams = {
  type: 'object',
  required: ['roomId', 'sessionId'],
  properties: {
    roomId: { type: 'string', ...roomId },
    sessionId: { type: 'string', ...sessionId },
  },
} as const;

export interface SessionParams {
  roomId: string;
  sessionId: string;
}
