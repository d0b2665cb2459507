// GET /_matrix/client/v3/room_keys/keys/{roomId}?version=
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3room_keyskeysroomid
//
// A room without keys in the backup is `{sessions: {}}`, not a 404.
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type RoomIdParams,
  roomIdParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { getBackupKeys } from '../../storage/key-backup.ts';
import { keysByRoom, requireBackupVersion, unknownBackupVersion } from './room-keys-shared.ts';

export const getRoomKeysByRoom = defineEndpoint<Context, unknown, BackupVersionQuery, RoomIdParams>(
  {
    method: 'GET',
    path: '/_matrix/client/v3/room_keys/keys/:roomId',
    schema: { querystring: backupVersionQuery, params: roomIdParams },
    handler: async (ctx, request) => {
      const user = await requireUser(ctx, request);
      const { roomId } = request.params;
      const version = requireBackupVersion(request.query.version);
      const keys = await getBackupKeys(ctx.db, user.userId, version, { roomId });
      if (!keys) throw unknownBackupVersion();
      return keysByRoom(keys)[roomId] ?? { sessions: {} };
    },
  },
);
