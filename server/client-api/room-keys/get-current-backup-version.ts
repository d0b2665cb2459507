// GET /_matrix/client/v3/room_keys/version
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3room_keysversion
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getBackupVersion } from '../../storage/key-backup.ts';
import { backupVersionJson } from './room-keys-shared.ts';

export const getCurrentBackupVersion = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/version',
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const info = await getBackupVersion(ctx.db, user.userId, undefined);
    if (!info) throw notFound('No current backup version');
    return backupVersionJson(info);
  },
});
