// GET /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}?version=
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3room_keyskeysroomidsessionid
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type SessionParams,
  sessionParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { getBackupKeys } from '../../storage/key-backup.ts';
import { requireBackupVersion, unknownBackupVersion } from './room-keys-shared.ts';

export const getRoomKeyBySession = defineEndpoint<
  Context,
  unknown,
  BackupVersionQuery,
  SessionParams
>({
  method: 'GET',
  path: '/_matrix/client/v3/room_keys/keys/:roomId/:sessionId',
  schema: { querystring: backupVersionQuery, params: sessionParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, sessionId } = request.params;
    const version = requireBackupVersion(request.query.version);
    const keys = await getBackupKeys(ctx.db, user.userId, version, { roomId, sessionId });
    if (!keys) throw unknownBackupVersion();
    const found = keys[0];
    if (!found) throw notFound('Key not found');
    return found.key;
  },
});
