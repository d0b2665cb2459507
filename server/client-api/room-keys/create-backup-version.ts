// POST /_matrix/client/v3/room_keys/version
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3room_keysversion
//
// The new version becomes the current one: uploads to the previous one are refused from now on.
import {
  type CreateBackupVersionBody,
  createBackupVersionBody,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { createBackupVersion as storeBackupVersion } from '../../storage/key-backup.ts';

export const createBackupVersion = defineEndpoint<Context, CreateBackupVersionBody>({
  method: 'POST',
  path: '/_matrix/client/v3/room_keys/version',
  schema: { body: createBackupVersionBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { algorithm, auth_data } = request.body;
    const version = await storeBackupVersion(ctx.db, user.userId, algorithm, auth_data, ctx.now());
    return { version: String(version) };
  },
});
