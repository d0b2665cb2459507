// DELETE /_matrix/client/v3/room_keys/keys/{roomId}?version=
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3room_keyskeysroomid
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type RoomIdParams,
  roomIdParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteKeys } from './room-keys-shared.ts';

export const deleteRoomKeysByRoom = defineEndpoint<
  Context,
  unknown,
  BackupVersionQuery,
  RoomIdParams
>({
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/keys/:roomId',
  schema: { querystring: backupVersionQuery, params: roomIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId } = request.params;
    return deleteKeys(ctx, user.userId, request.query.version, { roomId });
  },
});
