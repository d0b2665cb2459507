// PUT /_matrix/client/v3/room_keys/keys/{roomId}?version=
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3room_keyskeysroomid
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type RoomIdParams,
  type RoomKeyBackup,
  roomIdParams,
  roomKeyBackup,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { roomSessions, storeKeys } from './room-keys-shared.ts';

export const putRoomKeysByRoom = defineEndpoint<
  Context,
  RoomKeyBackup,
  BackupVersionQuery,
  RoomIdParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/keys/:roomId',
  schema: { body: roomKeyBackup, querystring: backupVersionQuery, params: roomIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const keys = roomSessions(request.params.roomId, request.body.sessions);
    return storeKeys(ctx, user.userId, request.query.version, keys);
  },
});
