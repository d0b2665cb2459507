// PUT /_matrix/client/v3/room_keys/keys/{roomId}/{sessionId}?version=
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3room_keyskeysroomidsessionid
import {
  type BackupVersionQuery,
  backupVersionQuery,
  type KeyBackupData,
  keyBackupData,
  type SessionParams,
  sessionParams,
} from '../../../schemas/requests/room-keys.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { storeKeys } from './room-keys-shared.ts';

export const putRoomKeyBySession = defineEndpoint<
  Context,
  KeyBackupData,
  BackupVersionQuery,
  SessionParams
>({
  method: 'PUT',
  path: '/_matrix/client/v3/room_keys/keys/:roomId/:sessionId',
  schema: { body: keyBackupData, querystring: backupVersionQuery, params: sessionParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { roomId, sessionId } = request.params;
    const keys = [{ roomId, sessionId, key: request.body }];
    return storeKeys(ctx, user.userId, request.query.version, keys);
  },
});
