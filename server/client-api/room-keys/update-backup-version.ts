// PUT /_matrix/client/v3/room_keys/version/{version}
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3room_keysversionversion
//
// Only auth_data changes: the algorithm sent must be the stored one, and a `version` in the body
// must be the one in the path. Any version not deleted may be updated, current or not.
import {
  type BackupVersionParams,
  backupVersionParams,
  type UpdateBackupVersionBody,
  updateBackupVersionBody,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { invalidParam } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { updateBackupVersion as storeUpdate } from '../../storage/key-backup.ts';
import { requireBackupVersion, unknownBackupVersion } from './room-keys-shared.ts';

export const updateBackupVersion = defineEndpoint<
  Context,
  UpdateBackupVersionBody,
  unknown,
  BackupVersionParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/version/:version',
  schema: { body: updateBackupVersionBody, params: backupVersionParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { algorithm, auth_data, version: bodyVersion } = request.body;
    if (bodyVersion !== undefined && bodyVersion !== request.params.version) {
      throw invalidParam('The version in the body does not match the version in the path');
    }
    const version = requireBackupVersion(request.params.version);
    const outcome = await storeUpdate(ctx.db, user.userId, version, algorithm, auth_data);
    if (outcome === 'unknown-version') throw unknownBackupVersion();
    if (outcome === 'algorithm-mismatch') throw invalidParam('Algorithm does not match');
    return {};
  },
});
