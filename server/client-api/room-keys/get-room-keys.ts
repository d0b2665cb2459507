// GET /_matrix/client/v3/room_keys/keys?version=
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3room_keyskeys
import {
  type BackupVersionQuery,
  backupVersionQuery,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { getBackupKeys } from '../../storage/key-backup.ts';
import { keysByRoom, requireBackupVersion, unknownBackupVersion } from './room-keys-shared.ts';

export const getRoomKeys = defineEndpoint<Context, unknown, BackupVersionQuery>({
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/keys',
  schema: { querystring: backupVersionQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const version = requireBackupVersion(request.query.version);
    const keys = await getBackupKeys(ctx.db, user.userId, version);
    if (!keys) throw unknownBackupVersion();
    return { rooms: keysByRoom(keys) };
  },
});
