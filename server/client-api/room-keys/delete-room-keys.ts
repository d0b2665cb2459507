// DELETE /_matrix/client/v3/room_keys/keys?version=
// https://spec.matrix.org/latest/client-server-api/#delete_matrixclientv3room_keyskeys
//
// Keys may be deleted from any version not deleted, not only the current one.
import {
  type BackupVersionQuery,
  backupVersionQuery,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { deleteKeys } from './room-keys-shared.ts';

export const deleteRoomKeys = defineEndpoint<Context, unknown, BackupVersionQuery>({
  method: 'DELETE',
  path: '/_matrix/client/v3/room_keys/keys',
  schema: { querystring: backupVersionQuery },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    return deleteKeys(ctx, user.userId, request.query.version, {});
  },
});
