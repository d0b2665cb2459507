// GET /_matrix/client/v3/room_keys/version/{version}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3room_keysversionversion
import {
  type BackupVersionParams,
  backupVersionParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { getBackupVersion as readBackupVersion } from '../../storage/key-backup.ts';
import {
  backupVersionJson,
  requireBackupVersion,
  unknownBackupVersion,
} from './room-keys-shared.ts';

export const getBackupVersion = defineEndpoint<Context, unknown, unknown, BackupVersionParams>({
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/version/:version',
  schema: { params: backupVersionParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const version = requireBackupVersion(request.params.version);
    const info = await readBackupVersion(ctx.db, user.userId, version);
    if (!info) throw unknownBackupVersion();
    return backupVersionJson(info);
  },
});
