// DELETE /_matrix/client/v3/room_keys/version/{version}
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3room_keysversionversion
//
// Deletes the version and every key in it. Deleting a version deleted before succeeds again (the
// spec asks for that); only a version the user never had is a 404.
import {
  type BackupVersionParams,
  backupVersionParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteBackupVersion as storeDelete } from '../../storage/key-backup.ts';
import { requireBackupVersion, unknownBackupVersion } from './room-keys-shared.ts';

export const deleteBackupVersion = defineEndpoint<Context, unknown, unknown, BackupVersionParams>({
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/version/:version',
  schema: { params: backupVersionParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const version = requireBackupVersion(request.params.version);
    if (!(await storeDelete(ctx.db, user.userId, version))) throw unknownBackupVersion();
    return {};
  },
});
