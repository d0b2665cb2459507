// PUT /_matrix/client/v3/room_keys/keys?version=
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3room_keyskeys
//
// Keys of many rooms in one transaction; a key replaces a stored one only when it is better
// (server/storage/key-backup.ts, isBetterBackupKey).
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type RoomKeysBody,
  roomKeysBody,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { roomSessions, storeKeys } from './room-keys-shared.ts';

export const putRoomKeys = defineEndpoint<Context, RoomKeysBody, BackupVersionQuery>({
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/keys',
  schema: { body: roomKeysBody, querystring: backupVersionQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const keys = Object.entries(request.body.rooms).flatMap(([roomId, room]) =>
      roomSessions(roomId, room.sessions),
    );
    return storeKeys(ctx, user.userId, request.query.version, keys);
  },
});
